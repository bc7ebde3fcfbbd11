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

    /// <summary>N1+(h ·) = number of distinct words w with c(h w) &gt; 0, for every context h of order k.</summary>
    public static int[] DistinctExtensions(NGramCounts counts, int k, ReadOnlySpan<int> c)
    {
        var n = new int[counts.ContextCount(k)];
        ReadOnlySpan<int> ctx = counts.ContextOf(k);
        for (int e = 0; e < c.Length; e++)
            if (c[e] > 0) n[ctx[e]]++;
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
