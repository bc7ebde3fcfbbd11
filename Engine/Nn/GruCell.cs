using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// One GRU step written with primitive autograd ops (the composed path), in PyTorch's formulation
/// (docs/rnn.md#gru explains how it differs from the textbook one):
/// <code>
/// r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)     z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
/// n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// Weights as PyTorch <c>nn.GRUCell</c>: W_ih (3H, in), W_hh (3H, H), gates stacked r, z, n.
/// </summary>
public sealed class GruCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A cell with its own parameters, initialised U(−1/√H, 1/√H) from <paramref name="rng"/>.</summary>
    public GruCell(int inputSize, int hiddenSize, SeededRng rng) : base(3, inputSize, hiddenSize, rng) { }

    internal GruCell(RecurrentWeights<T> weights) : base(weights) { }

    /// <summary>Advances one step: x (B, in), h (B, H) → h' (B, H).</summary>
    public Var<T> Step(Var<T> x, Var<T> h)
    {
        CheckInput(x, h, "GruCell.Step");
        var (w, H) = (Weights, HiddenSize);
        // h reaches its two uses below through one node, so the gradient of the previous step's h' is always
        // (∂ from this step) + (∂ from the layer output), a sum of two terms, whatever graph surrounds the cell
        // (a padded batch inserts mask nodes): a row in a padded batch then gets the bits it gets alone (docs/masking.md).
        h = Ops.Reshape(h, h.Value.ShapeArray());
        Var<T> gi = Affine(x, w.WeightIh, w.BiasIh); // (B, 3H): x-side r, z, n
        Var<T> gh = Affine(h, w.WeightHh, w.BiasHh); // (B, 3H): h-side r, z, n
        Var<T> r = Ops.Sigmoid(Ops.Slice(gi, 1, 0, H) + Ops.Slice(gh, 1, 0, H));
        Var<T> z = Ops.Sigmoid(Ops.Slice(gi, 1, H, H) + Ops.Slice(gh, 1, H, H));
        Var<T> n = Ops.Tanh(Ops.Slice(gi, 1, 2 * H, H) + r * Ops.Slice(gh, 1, 2 * H, H));
        return (T.One - z) * n + z * h;
    }

    /// <summary>Advances one step: x (B, in), state h (B, H) → h'. A GRU state has no c.</summary>
    public override RecurrentState<T> Step(Var<T> x, RecurrentState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new RecurrentState<T>(Step(x, state.H));
    }
}
