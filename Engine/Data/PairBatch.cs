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
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count) throw new ArgumentException($"PairBatch.Pad: {sources.Count} sources but {targets.Count} targets.", nameof(targets));
        var source = TokenBatch.Pad(sources, rows, padId);
        var inputs = new int[rows.Length][];
        var outputs = new int[rows.Length][];
        for (int b = 0; b < rows.Length; b++)
        {
            var y = targets[rows[b]] ?? throw new ArgumentException($"PairBatch.Pad: target {rows[b]} is null.", nameof(targets));
            inputs[b] = [bosId, .. y];
            outputs[b] = [.. y, eosId];
        }
        var all = Enumerable.Range(0, rows.Length).ToArray();
        var decoderInput = TokenBatch.Pad(inputs, all, padId);
        var decoderTargets = TokenBatch.Pad(outputs, all, padId).TargetsIgnoringPadding(ignoreIndex);
        return new PairBatch(source, decoderInput, decoderTargets);
    }
}
