namespace SeqLearn.NGrams;

/// <summary>
/// Interpolated absolute discounting on raw counts, one discount per order:
/// <code>
/// p(w | h) = max(c(h w) − D, 0) / c(h) + (D · N1+(h ·) / c(h)) · p(w | h')      D = n1 / (n1 + 2 n2)
/// </code>
/// (n_r = number of n-grams of that order seen exactly r times); unigrams interpolate with uniform 1/V.
/// </summary>
public sealed class AbsoluteDiscounting(double? fallbackDiscount = null) : INGramEstimator
{
    private readonly double? _fallback = Discounting.CheckFallback(fallbackDiscount, 1, "Absolute discounting", nameof(fallbackDiscount));

    /// <inheritdoc/>
    public string Name => "abs";

    /// <inheritdoc/>
    public bool IsNormalized => true;

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var c = new int[counts.Order][];
        var d = new double[counts.Order];
        for (int k = 1; k <= counts.Order; k++)
        {
            c[k - 1] = counts.Counts(k).ToArray();
            d[k - 1] = Discounting.SingleDiscount("Absolute discounting", k, c[k - 1], _fallback);
        }
        return Discounting.Interpolate(counts, c, (k, _) => d[k - 1]);
    }
}
