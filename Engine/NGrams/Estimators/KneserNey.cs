namespace SeqLearn.NGrams;

/// <summary>
/// Interpolated Kneser-Ney with one discount per order, on adjusted counts a (KenLM's definition): raw counts at
/// the highest order and for n-grams starting with &lt;s&gt;; otherwise the continuation count N1+(· w1..wk).
/// <code>
/// p(w | h) = max(a(h w) − D, 0) / Σ_v a(h v) + (D · N1+(h ·) / Σ_v a(h v)) · p(w | h')     D = n1 / (n1 + 2 n2) of the a's
/// </code>
/// Unigrams interpolate with uniform 1/V.
/// </summary>
public sealed class KneserNey(double? fallbackDiscount = null) : INGramEstimator
{
    private readonly double? _fallback = Discounting.CheckFallback(fallbackDiscount, 1, "Kneser-Ney", nameof(fallbackDiscount));

    /// <inheritdoc/>
    public string Name => "kn";

    /// <inheritdoc/>
    public bool IsNormalized => true;

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int[][] a = counts.AdjustedCounts();
        var d = new double[counts.Order];
        for (int k = 1; k <= counts.Order; k++)
            d[k - 1] = Discounting.SingleDiscount("Kneser-Ney", k, a[k - 1], _fallback);
        return Discounting.Interpolate(counts, a, (k, _) => d[k - 1]);
    }
}
