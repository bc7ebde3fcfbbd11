namespace SeqLearn.Data;

/// <summary>
/// A batch of (source, target) sequence pairs for an encoder–decoder, each side padded on its own. The decoder reads the
/// target shifted right behind a begin token and predicts it followed by an end token (teacher forcing):
/// <code>
/// source        x_1 … x_n                  (B, S) padded, lengths n_b
/// decoder input &lt;bos&gt; y_1 … y_m            (B, U) padded, lengths m_b + 1
/// decoder output y_1 … y_m &lt;eos&gt;           (B, U), padding = ignore index (skipped by the cross-entropy)
/// </code>
/// </summary>
/// <param name="Source">The source side.</param>
/// <param name="DecoderInput">The target side behind <c>&lt;bos&gt;</c>.</param>
/// <param name="DecoderTargets">The target side followed by <c>&lt;eos&gt;</c>, (B·U) row-major, padding replaced by the ignore index.</param>
public sealed record PairBatch(TokenBatch Source, TokenBatch DecoderInput, int[] DecoderTargets)
{
    /// <summary>The predicted target tokens (the end tokens included).</summary>
    public long TargetTokens
    {
        get
        {
            long tokens = 0;
            foreach (int length in DecoderInput.Lengths) tokens += length;
            return tokens;
        }
    }

    /// <summary>Pads the pairs <c>(sources[r], targets[r])</c> for r in <paramref name="rows"/>.</summary>
    public static PairBatch Pad(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, ReadOnlySpan<int> rows, int padId, int bosId, int eosId,
        int ignoreIndex = -100)
    {
        var (steps, decoderSteps) = Shape(sources, targets, rows);
        var batch = Empty(rows.Length, steps, decoderSteps, padId);
        batch.Fill(sources, targets, rows, bosId, eosId, ignoreIndex);
        return batch;
    }

    /// <summary>
    /// (S, U) of <see cref="Pad"/>'s batch of the pairs <paramref name="rows"/>: the longest source and the longest target + 1,
    /// after the checks of <see cref="Pad"/>, without the batch.
    /// </summary>
    internal static (int Steps, int DecoderSteps) Shape(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count) throw new ArgumentException($"PairBatch.Pad: {sources.Count} sources but {targets.Count} targets.", nameof(targets));
        int steps = TokenBatch.LongestRow(sources, rows), longest = 0;
        foreach (int row in rows)
            longest = Math.Max(longest, (targets[row] ?? throw new ArgumentException($"PairBatch.Pad: target {row} is null.", nameof(targets))).Length);
        return (steps, longest + 1);
    }

    /// <summary>A batch of B = <paramref name="batch"/> pairs, (B, S) sources and (B, U) decoder sides, to <see cref="Fill"/>.</summary>
    internal static PairBatch Empty(int batch, int steps, int decoderSteps, int padId)
    {
        var decoderInput = TokenBatch.Empty(batch, decoderSteps, padId);
        return new PairBatch(TokenBatch.Empty(batch, steps, padId), decoderInput, new int[decoderInput.Ids.Length]);
    }

    /// <summary>
    /// Overwrites this batch with the pairs <paramref name="rows"/>, whose (B, S, U) are this batch's (<see cref="Shape"/>, checked
    /// by the caller): a batch refilled step after step allocates nothing.
    /// </summary>
    internal void Fill(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, ReadOnlySpan<int> rows, int bosId, int eosId, int ignoreIndex)
    {
        Source.Fill(sources, rows);
        int steps = DecoderInput.Steps;
        Span<int> input = DecoderInput.Ids, output = DecoderTargets;
        input.Fill(DecoderInput.PadId);
        output.Fill(ignoreIndex);
        for (int b = 0; b < rows.Length; b++)
        {
            var y = targets[rows[b]];
            DecoderInput.Lengths[b] = y.Length + 1;
            input[b * steps] = bosId;
            y.CopyTo(input.Slice(b * steps + 1));
            y.CopyTo(output.Slice(b * steps));
            output[b * steps + y.Length] = eosId;
        }
    }
}
