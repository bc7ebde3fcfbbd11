using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// Masks of padded batches built from per-row lengths: row b of a (B, T, …) batch holds valid steps
/// 0 … len_b − 1 and padding after them (docs/masking.md).
/// </summary>
public static class SequenceMask
{
    /// <summary>m (B, T): m[b, t] = 1 for t &lt; len_b, else 0 (the multiplicative mask of <c>MseLoss(p, t, mask)</c>).</summary>
    public static Tensor<T> Valid<T>(int[] lengths, int steps) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check(lengths, lengths?.Length ?? 0, steps, minLength: 0, "SequenceMask.Valid");
        var m = Tensor<T>.Zeros(lengths!.Length, steps);
        for (int b = 0; b < lengths.Length; b++) m.Span.Slice(b * steps, lengths[b]).Fill(T.One);
        return m;
    }

    /// <summary>
    /// a (B, T): a[b, t] = 0 for t &lt; len_b, −∞ for padding. Added to scores before a plain softmax it gives
    /// padding probability 0 (exp(−∞) = 0); <see cref="Ops.MaskedSoftmax{T}"/> does the same without the −∞.
    /// </summary>
    public static Tensor<T> Additive<T>(int[] lengths, int steps) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check(lengths, lengths?.Length ?? 0, steps, minLength: 0, "SequenceMask.Additive");
        var a = Tensor<T>.Zeros(lengths!.Length, steps);
        for (int b = 0; b < lengths.Length; b++) a.Span.Slice(b * steps + lengths[b], steps - lengths[b]).Fill(T.NegativeInfinity);
        return a;
    }

    /// <summary>
    /// Throws, naming <paramref name="op"/>, unless <paramref name="lengths"/> has one entry per row of a batch of
    /// <paramref name="batch"/> and each lies in [<paramref name="minLength"/>, <paramref name="steps"/>].
    /// </summary>
    internal static void Check(int[]? lengths, int batch, int steps, int minLength, string op)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (steps < 0)
            throw new ArgumentOutOfRangeException(nameof(steps), $"{op}: the number of steps is {steps}; it cannot be negative.");
        if (lengths.Length != batch)
            throw new ArgumentException($"{op}: {lengths.Length} lengths for a batch of {batch} rows.", nameof(lengths));
        for (int b = 0; b < lengths.Length; b++)
            if (lengths[b] < minLength || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"{op}: length {lengths[b]} of row {b} is outside [{minLength}, {steps}].");
    }
}
