namespace SeqLearn.Generation;

/// <summary>The K highest scores of a growing list, kept in descending order without sorting the list (beam searches' stopping tests).</summary>
internal static class TopScores
{
    /// <summary>
    /// <paramref name="best"/> (length K) holds the min(K, <paramref name="countBefore"/>) highest of the first
    /// <paramref name="countBefore"/> scores, descending; inserts <paramref name="score"/>, the next one. Compared with
    /// <see cref="double.CompareTo(double)"/>, the order of a sort of the whole list (NaN lowest).
    /// </summary>
    public static void Insert(Span<double> best, int countBefore, double score)
    {
        int at = Math.Min(countBefore, best.Length);
        if (at == best.Length && score.CompareTo(best[at - 1]) <= 0) return;
        if (at == best.Length) at--;
        while (at > 0 && best[at - 1].CompareTo(score) < 0) { best[at] = best[at - 1]; at--; }
        best[at] = score;
    }
}
