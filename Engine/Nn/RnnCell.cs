using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// One Elman RNN step written with primitive autograd ops (docs/rnn.md#rnn):
/// <code>h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh),  φ = tanh or ReLU</code>
/// Weights as PyTorch <c>nn.RNNCell</c>: W_ih (H, in), W_hh (H, H).
/// </summary>
public sealed class RnnCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A cell with its own parameters, initialised U(−1/√H, 1/√H) from <paramref name="rng"/>.</summary>
    public RnnCell(int inputSize, int hiddenSize, SeededRng rng, ActivationFunction nonlinearity = ActivationFunction.Tanh)
        : base(1, inputSize, hiddenSize, rng) => Nonlinearity = Check(nonlinearity);

    internal RnnCell(RecurrentWeights<T> weights, ActivationFunction nonlinearity) : base(weights) => Nonlinearity = Check(nonlinearity);

    /// <summary>φ: <see cref="ActivationFunction.Tanh"/> or <see cref="ActivationFunction.Relu"/>.</summary>
    public ActivationFunction Nonlinearity { get; }

    /// <summary>Advances one step: x (B, in), h (B, H) → h' (B, H).</summary>
    public Var<T> Step(Var<T> x, Var<T> h)
    {
        CheckInput(x, h, "RnnCell.Step");
        var w = Weights;
        Var<T> a = Affine(x, w.WeightIh, w.BiasIh) + Affine(h, w.WeightHh, w.BiasHh); // (B, H)
        return Nonlinearity == ActivationFunction.Tanh ? Ops.Tanh(a) : Ops.Relu(a);
    }

    /// <summary>Advances one step: x (B, in), state h (B, H) → h'. An RNN state has no c.</summary>
    public override RecurrentState<T> Step(Var<T> x, RecurrentState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new RecurrentState<T>(Step(x, state.H));
    }

    private static ActivationFunction Check(ActivationFunction nonlinearity) =>
        nonlinearity is ActivationFunction.Tanh or ActivationFunction.Relu ? nonlinearity
            : throw new ArgumentOutOfRangeException(nameof(nonlinearity), $"RnnCell: the nonlinearity must be tanh or relu, got {nonlinearity}.");
}
