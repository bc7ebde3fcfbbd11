namespace SeqLearn.NGrams;

/// <summary>
/// Add-k (Lidstone; k = 1 is Laplace), backed off as SRILM's <c>-addsmooth</c>:
/// <code>
/// p*(h w) = (c(h w) + k) / (Σ_v c(h v) + k·V)        V = vocabulary size without &lt;s&gt;
/// p(w | h) = p*(h w) if h w was seen, else bo(h) · p(w | h'),  bo(h) normalises the distribution to 1.
/// </code>
/// As k → ∞ every p* tends to 1/V and the model tends to the uniform distribution.
/// </summary>
public sealed class AddK(double k = 1.0) : INGramEstimator
{
    /// <summary>The pseudo-count added to every n-gram.</summary>
    public double K { get; } = k > 0 && double.IsFinite(k) ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "add-k needs a finite k > 0.");

    /// <inheritdoc/>
    public string Name => "addk";

    /// <inheritdoc/>
    public bool IsNormalized => true;

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.Order;
        double v = counts.Vocabulary.Count - 1; // <s> is never predicted
        var pStar = new double[n][];
        for (int order = 1; order <= n; order++)
        {
            ReadOnlySpan<int> c = counts.Counts(order), ctx = counts.ContextOf(order);
            double[] total = CountStatistics.ContextTotals(counts, order, c);
            var p = new double[c.Length];
            for (int e = 0; e < c.Length; e++) p[e] = (c[e] + K) / (total[ctx[e]] + K * v);
            pStar[order - 1] = p;
        }
        pStar[0][counts.Vocabulary.BosId] = 0;
        return Interpolation.FromBackedOff(counts, pStar);
    }
}
