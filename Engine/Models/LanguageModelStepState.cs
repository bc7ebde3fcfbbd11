using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Models;

/// <summary>
/// The recurrent state of a <see cref="LanguageModelStepper"/> at batch 1: h of every layer and, for an LSTM,
/// c of every layer, each (H), stored in one array <c>[h_0 … h_{L−1} | c_0 … c_{L−1}]</c>. From the outside it is
/// read-only: <see cref="LanguageModelStepper.Step"/> returns a new state and never changes the one it is given,
/// so beam search can branch a state into several continuations. Only
/// <see cref="LanguageModelStepper.Advance"/> overwrites a state, and only the one its caller owns.
/// </summary>
public sealed class LanguageModelStepState
{
    internal LanguageModelStepState(int layers, int hidden, bool hasCell)
    {
        (NumLayers, HiddenSize, HasCell) = (layers, hidden, hasCell);
        Values = new float[(hasCell ? 2 : 1) * layers * hidden];
    }

    /// <summary>L.</summary>
    public int NumLayers { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>True for an LSTM state (h and c), false for GRU and RNN (h only).</summary>
    public bool HasCell { get; }

    /// <summary>[h (L·H) | c (L·H)]: the storage, written only by the stepper.</summary>
    internal float[] Values { get; }

    internal Span<float> H(int layer) => Values.AsSpan(layer * HiddenSize, HiddenSize);

    internal Span<float> C(int layer) => Values.AsSpan((NumLayers + layer) * HiddenSize, HiddenSize);

    /// <summary>h of layer <paramref name="layer"/> (H).</summary>
    public ReadOnlySpan<float> Hidden(int layer) => H(CheckLayer(layer));

    /// <summary>c of layer <paramref name="layer"/> (H); LSTM only.</summary>
    public ReadOnlySpan<float> Cell(int layer) =>
        HasCell ? C(CheckLayer(layer)) : throw new InvalidOperationException("LanguageModelStepState: only an LSTM state has a cell state c.");

    /// <summary>An independent copy (its own storage).</summary>
    public LanguageModelStepState Clone()
    {
        var copy = new LanguageModelStepState(NumLayers, HiddenSize, HasCell);
        Values.CopyTo(copy.Values, 0);
        return copy;
    }

    /// <summary>The same values as a <see cref="RecurrentState{T}"/> of a batch of one: h, c (L, 1, H).</summary>
    public RecurrentState<float> ToRecurrentState()
    {
        int n = NumLayers * HiddenSize;
        var h = Tensor<float>.FromArray(Values.AsSpan(0, n).ToArray(), NumLayers, 1, HiddenSize);
        var c = HasCell ? Tensor<float>.FromArray(Values.AsSpan(n, n).ToArray(), NumLayers, 1, HiddenSize) : null;
        return new RecurrentState<float>(new Var<float>(h), c is null ? null : new Var<float>(c));
    }

    private int CheckLayer(int layer) =>
        (uint)layer < (uint)NumLayers ? layer : throw new ArgumentOutOfRangeException(nameof(layer), $"LanguageModelStepState: layer {layer} is outside [0, {NumLayers}).");
}
