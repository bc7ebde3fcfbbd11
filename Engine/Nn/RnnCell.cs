using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>The nonlinearity of an Elman RNN.</summary>
public enum RnnNonlinearity
{
    /// <summary>h' = tanh(·) (PyTorch's default).</summary>
    Tanh,
    /// <summary>h' = max(·, 0).</summary>
    Relu,
}

/// <summary>
/// One Elman RNN step written with primitive autograd ops (docs/rnn.md#rnn):
/// <code>h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh),  φ = tanh or ReLU</code>
/// Weights as PyTorch <c>nn.RNNCell</c>: W_ih (H, in), W_hh (H, H).
/// </summary>
public sealed class RnnCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A cell with its own parameters, initialised U(−1/√H, 1/√H) from <paramref name="rng"/>.</summary>
    public RnnCell(int inputSize, int hiddenSize, SeededRng rng, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh)
        : base(1, inputSize, hiddenSize, rng) => Nonlinearity = nonlinearity;

    internal RnnCell(RecurrentWeights<T> weights, RnnNonlinearity nonlinearity) : base(weights) => Nonlinearity = nonlinearity;

    /// <summary>φ.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>Advances one step: x (B, in), h (B, H) → h' (B, H).</summary>
    public Var<T> Step(Var<T> x, Var<T> h)
    {
        CheckInput(x, h, "RnnCell.Step");
        var w = Weights;
        Var<T> a = Affine(x, w.WeightIh, w.BiasIh) + Affine(h, w.WeightHh, w.BiasHh); // (B, H)
        return Nonlinearity == RnnNonlinearity.Tanh ? Ops.Tanh(a) : Ops.Relu(a);
    }
}
