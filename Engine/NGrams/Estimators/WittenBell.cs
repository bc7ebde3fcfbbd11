namespace SeqLearn.NGrams;

/// <summary>
/// Interpolated Witten-Bell: the weight of the lower order is the chance that the next word is new after h.
/// <code>
/// p(w | h) = (c(h w) + T(h) · p(w | h')) / (c(h) + T(h))      c(h) = Σ_v c(h v),  T(h) = N1+(h ·) = |{v : c(h v) &gt; 0}|
/// α(h w) = c(h w) / (c(h) + T(h)),   γ(h) = T(h) / (c(h) + T(h)),   unigrams interpolate with uniform 1/V.
/// </code>
/// </summary>
public sealed class WittenBell : INGramEstimator
{
    /// <inheritdoc/>
    public string Name => "wb";

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
            int[] t = CountStatistics.DistinctExtensions(counts, k, c); // T(h)
            alpha[k - 1] = new double[c.Length];
            for (int e = 0; e < c.Length; e++)
                alpha[k - 1][e] = c[e] / (total[ctx[e]] + t[ctx[e]]);
            gamma[k - 1] = new double[total.Length];
            for (int h = 0; h < total.Length; h++)
            {
                gamma[k - 1][h] = total[h] > 0 ? t[h] / (total[h] + t[h]) : double.NaN;
            }
        }
        return Interpolation.FromInterpolated(counts, alpha, gamma);
    }
}
