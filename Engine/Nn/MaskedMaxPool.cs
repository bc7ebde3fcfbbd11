using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// The per-feature maximum over time, (B, T, F) → (B, F), over each row's valid steps only when
/// <see cref="LayerContext.Lengths"/> is given: Keras's <c>GlobalMaxPooling1D</c> under a mask, the max-over-time of
/// text CNNs and BiLSTM encoders. No parameters. The gradient goes to the argmax step (the first one on ties).
/// </summary>
public sealed class MaskedMaxPool<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>x (B, T, F) → y[b, f] = max_{t &lt; len_b} x[b, t, f] (len_b = T when <paramref name="lengths"/> is null).</summary>
    public Var<T> Forward(Var<T> x, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ArgumentException($"MaskedMaxPool: expected (B, T, F), got {x.Value.ShapeString}.", nameof(x));
        return Ops.MaskedMax(x, lengths ?? MaskedMeanPool<T>.FullLengths(x));
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context.Lengths);
}
