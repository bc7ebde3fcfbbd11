namespace SeqLearn.NGrams;

/// <summary>Per-context sums and counts-of-counts shared by the estimators.</summary>
internal static class CountStatistics
{
    /// <summary>Σ_w c(h w) for every context h of order k (index = context entry; 0 = the empty context for k = 1).</summary>
    public static double[] ContextTotals(NGramCounts counts, int k, ReadOnlySpan<int> c)
    {
        var total = new double[counts.ContextCount(k)];
        ReadOnlySpan<int> ctx = counts.ContextOf(k);
        for (int e = 0; e < c.Length; e++) total[ctx[e]] += c[e];
        return total;
    }

    /// <summary>N_r(h) = number of words w with c(h w) = r (r = 1, 2) or ≥ 3 (r = 3); r = 0 slot holds N1+(h) = all with c &gt; 0.</summary>
    public static int[,] ExtensionCounts(NGramCounts counts, int k, ReadOnlySpan<int> c)
    {
        var n = new int[counts.ContextCount(k), 4];
        ReadOnlySpan<int> ctx = counts.ContextOf(k);
        for (int e = 0; e < c.Length; e++)
        {
            if (c[e] <= 0) continue;
            n[ctx[e], 0]++;
            n[ctx[e], Math.Min(c[e], 3)]++;
        }
        return n;
    }

    /// <summary>Counts of counts: n[r] = number of n-grams with count r, r = 1..4.</summary>
    public static long[] CountsOfCounts(ReadOnlySpan<int> c)
    {
        var n = new long[5];
        foreach (int x in c)
            if (x is >= 1 and <= 4) n[x]++;
        return n;
    }
}
