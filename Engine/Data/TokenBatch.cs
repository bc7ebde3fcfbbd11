using SeqLearn.Tensors;

namespace SeqLearn.Data;

/// <summary>
/// Token-id sequences of different lengths as one batch, padded at the end to the longest row:
/// <code>
/// Ids[b·T + t] = seq_b[t]   for t &lt; len_b        (B, T) row-major, T = max_b len_b
///              = pad        for t ≥ len_b
/// mask[b, t]   = [t &lt; len_b]
/// </code>
/// Recurrent layers given <see cref="Lengths"/> stop each row at its length, and masked losses and pooling read only
/// the valid steps, so a sequence gives the same result alone or padded in a batch (docs/training.md#4-padding-and-masks).
/// </summary>
public sealed class TokenBatch
{
    private TokenBatch(int[] ids, int[] lengths, int steps, int padId) => (Ids, Lengths, Steps, PadId) = (ids, lengths, steps, padId);

    /// <summary>The ids (B, T) row-major, padded with <see cref="PadId"/>.</summary>
    public int[] Ids { get; }

    /// <summary>len_b, the valid steps of each row (B).</summary>
    public int[] Lengths { get; }

    /// <summary>B.</summary>
    public int BatchSize => Lengths.Length;

    /// <summary>T, the longest row's length.</summary>
    public int Steps { get; }

    /// <summary>The id written into padded positions.</summary>
    public int PadId { get; }

    /// <summary>Whether step <paramref name="t"/> of row <paramref name="b"/> is part of the sequence (not padding).</summary>
    public bool IsValid(int b, int t) =>
        Checks.Index(t, Steps, "TokenBatch.IsValid", nameof(t), "step t") < Lengths[Checks.Index(b, BatchSize, "TokenBatch.IsValid", nameof(b), "row b")];

    /// <summary>
    /// Pads <c>sequences[rows[0]], sequences[rows[1]], …</c> (in that order) into one batch. Empty sequences are an error
    /// naming the example (a recurrent layer needs at least one step per row).
    /// </summary>
    public static TokenBatch Pad(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows, int padId)
    {
        int steps = LongestRow(sequences, rows);
        var batch = Empty(rows.Length, steps, padId);
        batch.Fill(sequences, rows);
        return batch;
    }

    /// <summary>
    /// T of <see cref="Pad"/>'s batch of <c>sequences[rows[…]]</c>, the longest row: the checks of <see cref="Pad"/> (at least one
    /// row, every row in range, not null, not empty) without the batch.
    /// </summary>
    internal static int LongestRow(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (rows.Length == 0) throw new ArgumentException("TokenBatch.Pad: a batch needs at least one row.", nameof(rows));
        int steps = 0;
        foreach (int row in rows)
        {
            var seq = sequences[Checks.Index(row, sequences.Count, "TokenBatch.Pad", nameof(rows), "row")] ?? throw new ArgumentException($"TokenBatch.Pad: example {row} is null.", nameof(sequences));
            if (seq.Length == 0) throw new ArgumentException($"TokenBatch.Pad: example {row} is empty.", nameof(sequences));
            steps = Math.Max(steps, seq.Length);
        }
        return steps;
    }

    /// <summary>A batch of (B, T) = (<paramref name="batch"/>, <paramref name="steps"/>) to <see cref="Fill"/>.</summary>
    internal static TokenBatch Empty(int batch, int steps, int padId) =>
        new(new int[ShapeUtil.ArrayLength((long)batch * steps, "TokenBatch.Pad", $"{batch} rows of up to {steps} steps: B·T", "use smaller batches or shorter sequences.")],
            new int[batch], steps, padId);

    /// <summary>
    /// Overwrites this batch with <c>sequences[rows[…]]</c>, B = <paramref name="rows"/>.Length of them, whose longest is T
    /// (<see cref="LongestRow"/>, checked by the caller): a batch refilled step after step allocates nothing.
    /// </summary>
    internal void Fill(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows)
    {
        Ids.AsSpan().Fill(PadId);
        for (int b = 0; b < rows.Length; b++)
        {
            var seq = sequences[rows[b]];
            Lengths[b] = seq.Length;
            seq.CopyTo(Ids.AsSpan(b * Steps));
        }
    }

    /// <summary>The mask (B, T): 1 at valid steps, 0 at padding.</summary>
    public Tensor<T> Mask<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = Tensor<T>.Zeros(BatchSize, Steps);
        for (int b = 0; b < BatchSize; b++) m.Span.Slice(b * Steps, Lengths[b]).Fill(T.One);
        return m;
    }

    /// <summary>The ids with padded positions replaced by <paramref name="ignore"/> (targets for a cross-entropy that skips them).</summary>
    public int[] TargetsIgnoringPadding(int ignore = -100)
    {
        var targets = (int[])Ids.Clone();
        for (int b = 0; b < BatchSize; b++) targets.AsSpan(b * Steps + Lengths[b], Steps - Lengths[b]).Fill(ignore);
        return targets;
    }
}
