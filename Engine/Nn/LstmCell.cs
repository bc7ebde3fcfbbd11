using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// One LSTM step written with primitive autograd ops (the composed path; docs/rnn.md#lstm):
/// <code>
/// i = σ(x W_iiᵀ + b_ii + h W_hiᵀ + b_hi)     f = σ(x W_ifᵀ + b_if + h W_hfᵀ + b_hf)
/// g = tanh(x W_igᵀ + b_ig + h W_hgᵀ + b_hg)  o = σ(x W_ioᵀ + b_io + h W_hoᵀ + b_ho)
/// c' = f ⊙ c + i ⊙ g                         h' = o ⊙ tanh(c')
/// </code>
/// Weights as PyTorch <c>nn.LSTMCell</c>: W_ih (4H, in), W_hh (4H, H), gates stacked i, f, g, o.
/// </summary>
public sealed class LstmCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A cell with its own parameters, initialised U(−1/√H, 1/√H) from <paramref name="rng"/>.</summary>
    public LstmCell(int inputSize, int hiddenSize, SeededRng rng) : base(4, inputSize, hiddenSize, rng) { }

    internal LstmCell(RecurrentWeights<T> weights) : base(weights) { }

    /// <summary>True: the state is h and c.</summary>
    public override bool HasCellState => true;

    /// <summary>Advances one step: x (B, in), state h and c (B, H) each → the new state. Nothing is stored in the cell.</summary>
    public override RecurrentState<T> Step(Var<T> x, RecurrentState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckInput(x, state.H, "LstmCell.Step");
        if (state.C is null) throw new ArgumentException("LstmCell.Step: an LSTM state needs c.", nameof(state));
        if (!state.C.Value.SameShape(state.H.Value))
            throw new ArgumentException($"LstmCell.Step: expected c shaped like h {state.H.Value.ShapeString}, got {state.C.Value.ShapeString}.", nameof(state));
        var (w, H) = (Weights, HiddenSize);
        Var<T> gates = Affine(x, w.WeightIh, w.BiasIh) + Affine(state.H, w.WeightHh, w.BiasHh); // (B, 4H): i, f, g, o
        Var<T> i = Ops.Sigmoid(Ops.Slice(gates, 1, 0 * H, H));
        Var<T> f = Ops.Sigmoid(Ops.Slice(gates, 1, 1 * H, H));
        Var<T> g = Ops.Tanh(Ops.Slice(gates, 1, 2 * H, H));
        Var<T> o = Ops.Sigmoid(Ops.Slice(gates, 1, 3 * H, H));
        Var<T> c = f * state.C + i * g;
        return new RecurrentState<T>(H: o * Ops.Tanh(c), C: c);
    }
}
