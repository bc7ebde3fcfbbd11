namespace SeqLearn.NGrams;

/// <summary>The three modified Kneser-Ney discounts of one order: for adjusted count 1, 2, and 3 or more.</summary>
public readonly record struct MknDiscounts(double D1, double D2, double D3Plus)
{
    /// <summary>KenLM's <c>--discount_fallback</c> values.</summary>
    public static MknDiscounts KenLmFallback => new(0.5, 1.0, 1.5);

    /// <summary>The discount for adjusted count <paramref name="a"/> (0 for a = 0).</summary>
    public double For(int a) => a switch { <= 0 => 0, 1 => D1, 2 => D2, _ => D3Plus };

    /// <summary>
    /// Chen &amp; Goodman's estimate from counts of counts n1..n4:
    /// Y = n1/(n1+2n2), D1 = 1 − 2Y·n2/n1, D2 = 2 − 3Y·n3/n2, D3+ = 3 − 4Y·n4/n3.
    /// Null when undefined (n1, n2 or n3 = 0: a division by zero) or out of range (D_r ∉ [0, r]), as KenLM's lmplz
    /// decides; n4 = 0 is defined and gives D3+ = 3.
    /// </summary>
    public static MknDiscounts? Estimate(ReadOnlySpan<long> n)
    {
        if (n[1] == 0 || n[2] == 0 || n[3] == 0) return null;
        double y = n[1] / (n[1] + 2.0 * n[2]);
        double d1 = 1 - 2 * y * n[2] / n[1];
        double d2 = 2 - 3 * y * n[3] / n[2];
        double d3 = 3 - 4 * y * n[4] / n[3];
        if (d1 is < 0 or > 1 || d2 is < 0 or > 2 || d3 is < 0 or > 3) return null;
        return new MknDiscounts(d1, d2, d3);
    }
}

/// <summary>
/// Interpolated modified Kneser-Ney (Chen &amp; Goodman), as KenLM's lmplz builds it: adjusted counts a as in
/// <see cref="KneserNey"/>, three discounts per order from the counts of counts of the a's, unigrams interpolated
/// with the uniform distribution over the V symbols other than &lt;s&gt;, no pruning.
/// <code>
/// p(w | h) = (a(h w) − D(a(h w))) / Σ_v a(h v) + γ(h) · p(w | h')
/// γ(h)     = (D1·N1(h ·) + D2·N2(h ·) + D3+·N3+(h ·)) / Σ_v a(h v)
/// </code>
/// When a discount is undefined (tiny or artificial data) estimation fails with <see cref="NGramEstimationException"/>,
/// unless a fallback is given (KenLM: 0.5, 1, 1.5).
/// </summary>
public sealed class ModifiedKneserNey(MknDiscounts? fallback = null) : INGramEstimator
{
    private readonly MknDiscounts? _fallback = fallback is { } f
        ? new MknDiscounts(Check(f.D1, 1, "D1"), Check(f.D2, 2, "D2"), Check(f.D3Plus, 3, "D3Plus"))
        : null;

    // D_r of a fallback in [0, r], the range Estimate accepts.
    private static double Check(double d, double max, string which) =>
        Discounting.CheckFallback(d, max, $"Modified Kneser-Ney ({which})", nameof(fallback))!.Value;

    /// <inheritdoc/>
    public string Name => "mkn";

    /// <inheritdoc/>
    public bool IsNormalized => true;

    /// <summary>The discounts of each order (index k−1) for the given counts.</summary>
    public MknDiscounts[] Discounts(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Discounts(counts.AdjustedCounts());
    }

    private MknDiscounts[] Discounts(int[][] a)
    {
        var d = new MknDiscounts[a.Length];
        for (int k = 1; k <= a.Length; k++)
        {
            long[] n = CountStatistics.CountsOfCounts(a[k - 1]);
            d[k - 1] = MknDiscounts.Estimate(n) ?? _fallback ?? throw new NGramEstimationException(
                $"Modified Kneser-Ney: the discounts of order {k} are undefined or out of range " +
                $"(counts of adjusted counts n1..n4 = {n[1]}, {n[2]}, {n[3]}, {n[4]}). " +
                "Is the corpus very small? Use a discount fallback (KenLM's is 0.5 1 1.5).");
        }
        return d;
    }

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int[][] a = counts.AdjustedCounts();
        MknDiscounts[] d = Discounts(a);
        return Discounting.Interpolate(counts, a, (k, count) => d[k - 1].For(count));
    }
}
