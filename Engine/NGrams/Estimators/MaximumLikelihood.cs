namespace SeqLearn.NGrams;

/// <summary>
/// Maximum likelihood: p(w | h) = c(h w) / Σ_v c(h v). Unseen words after a seen context get probability 0
/// (back-off weight log10 0 = −99); a context never seen falls back to the shorter context.
/// Perplexity is infinite on text with an unseen n-gram — this is the baseline the smoothed estimators fix.
/// </summary>
public sealed class MaximumLikelihood : INGramEstimator
{
    /// <inheritdoc/>
    public string Name => "mle";

    /// <inheritdoc/>
    public bool IsNormalized => true;

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.Order;
        var alpha = new double[n][];
        var gamma = new double[n][];
        for (int k = 1; k <= n; k++)
        {
            ReadOnlySpan<int> c = counts.Counts(k), ctx = counts.ContextOf(k);
            double[] total = CountStatistics.ContextTotals(counts, k, c);
            alpha[k - 1] = new double[c.Length];
            for (int e = 0; e < c.Length; e++) alpha[k - 1][e] = c[e] / total[ctx[e]];
            gamma[k - 1] = total.Select(t => t > 0 ? 0.0 : double.NaN).ToArray();
        }
        return Interpolation.FromInterpolated(counts, alpha, gamma);
    }
}
