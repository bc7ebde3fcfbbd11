namespace SeqLearn.NGrams;

/// <summary>
/// Interpolated discounting shared by absolute discounting, Kneser-Ney and modified Kneser-Ney:
/// <code>
/// α_k(h w) = max(a(h w) − D_k(a(h w)), 0) / Σ_v a(h v)
/// γ_k(h)   = Σ_v min(D_k(a(h v)), a(h v)) / Σ_v a(h v)        (the mass the discounts removed)
/// </code>
/// where a is the raw count (absolute discounting) or the Kneser-Ney adjusted count.
/// </summary>
internal static class Discounting
{
    /// <summary>The discount D_k(a) for an n-gram of order <c>k</c> with count <c>a</c> &gt; 0.</summary>
    public delegate double Discount(int k, int a);

    public static BackoffModel Interpolate(NGramCounts counts, int[][] a, Discount discount)
    {
        int n = counts.Order;
        var alpha = new double[n][];
        var gamma = new double[n][];
        for (int k = 1; k <= n; k++)
        {
            ReadOnlySpan<int> ak = a[k - 1], ctx = counts.ContextOf(k);
            double[] total = CountStatistics.ContextTotals(counts, k, ak);
            var removed = new double[total.Length];
            var alphaK = new double[ak.Length];
            for (int e = 0; e < ak.Length; e++)
            {
                if (ak[e] == 0) continue;
                double d = Math.Min(discount(k, ak[e]), ak[e]);
                alphaK[e] = (ak[e] - d) / total[ctx[e]];
                removed[ctx[e]] += d;
            }
            var gammaK = new double[total.Length];
            for (int h = 0; h < total.Length; h++)
                gammaK[h] = total[h] > 0 ? removed[h] / total[h] : double.NaN;
            alpha[k - 1] = alphaK;
            gamma[k - 1] = gammaK;
        }
        return Interpolation.FromInterpolated(counts, alpha, gamma);
    }

    /// <summary>
    /// <paramref name="discount"/> when it is null or in [0, <paramref name="max"/>]; otherwise an
    /// <see cref="ArgumentOutOfRangeException"/> naming <paramref name="paramName"/> (a discount above the count it applies to
    /// would remove more than the count, one below 0 would add mass).
    /// </summary>
    public static double? CheckFallback(double? discount, double max, string estimator, string paramName) => discount is not { } d || d is >= 0 && d <= max
        ? discount
        : throw new ArgumentOutOfRangeException(paramName, d, $"{estimator}: a fallback discount must be in [0, {max}], got {d}.");

    /// <summary>D = n1 / (n1 + 2 n2) for one order (Ney, Essen &amp; Kneser), or <paramref name="fallback"/> when undefined.</summary>
    public static double SingleDiscount(string estimator, int k, ReadOnlySpan<int> a, double? fallback)
    {
        long[] n = CountStatistics.CountsOfCounts(a);
        double d = n[1] + 2.0 * n[2] > 0 ? n[1] / (n[1] + 2.0 * n[2]) : double.NaN;
        if (d is > 0 and <= 1) return d;
        return fallback ?? throw new NGramEstimationException(
            $"{estimator}: the discount of order {k} is undefined (n1={n[1]}, n2={n[2]}: D = n1/(n1+2·n2) = {d}). " +
            "The corpus is too small; pass an explicit fallback discount.");
    }
}
