namespace SeqLearn.Translation;

/// <summary>
/// The sufficient statistics of BLEU, summed over sentences: for each order n = 1..N the clipped matches
/// m_n = Σ_g min(c_hyp(g), max_r c_r(g)) and the hypothesis n-gram count t_n, the hypothesis length c and
/// the effective reference length r (per sentence the reference length closest to the hypothesis length,
/// the shorter one on a tie). Corpus BLEU sums these over the corpus before taking any ratio.
/// </summary>
public sealed class BleuStatistics
{
    private readonly long[] _matches;
    private readonly long[] _totals;

    /// <summary>
    /// The highest order the statistics hold (1,000): BLEU is defined for any N, but each order is a counter pair and a
    /// pass over every sentence, and an order longer than every sentence only adds zero counts.
    /// </summary>
    public const int MaxSupportedOrder = 1000;

    /// <summary>Zero statistics for n-gram orders 1..<paramref name="maxOrder"/> (at most <see cref="MaxSupportedOrder"/>).</summary>
    public BleuStatistics(int maxOrder = Bleu.MaxOrder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOrder, MaxSupportedOrder);
        _matches = new long[maxOrder];
        _totals = new long[maxOrder];
    }

    /// <summary>Highest n-gram order N.</summary>
    public int MaxOrder => _matches.Length;

    /// <summary>m_n, clipped matches of order n at index n − 1.</summary>
    public ReadOnlySpan<long> Matches => _matches;

    /// <summary>t_n, hypothesis n-grams of order n at index n − 1.</summary>
    public ReadOnlySpan<long> Totals => _totals;

    /// <summary>c, the summed hypothesis length in tokens.</summary>
    public long HypothesisLength { get; private set; }

    /// <summary>r, the summed closest reference length in tokens.</summary>
    public long ReferenceLength { get; private set; }

    /// <summary>Adds one sentence: a hypothesis and its references, all as tokens.</summary>
    /// <exception cref="ArgumentException">No reference is given, or (N ≥ 2) a token holds a space.</exception>
    public void Add(IReadOnlyList<string> hypothesis, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("BLEU: a sentence needs at least one reference.", nameof(references));
        CheckTokens(hypothesis, nameof(hypothesis), noSpace: MaxOrder >= 2);
        foreach (IReadOnlyList<string> reference in references) CheckTokens(reference, nameof(references), noSpace: MaxOrder >= 2);
        int c = hypothesis.Count;
        int r = ClosestReferenceLength(c, references);
        for (int n = 1; n <= MaxOrder; n++)
        {
            Dictionary<string, int> hyp = NGrams(hypothesis, n);
            if (hyp.Count == 0) continue;
            var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (IReadOnlyList<string> reference in references)
                foreach (var (gram, count) in NGrams(reference, n))
                    maxRef[gram] = Math.Max(maxRef.GetValueOrDefault(gram), count);
            foreach (var (gram, count) in hyp)
                _matches[n - 1] += Math.Min(count, maxRef.GetValueOrDefault(gram));
            _totals[n - 1] += Math.Max(0, c - n + 1);
        }
        HypothesisLength += c;
        ReferenceLength += r;
    }

    // No token may be null. With N ≥ 2 none may hold a space either: n-grams are keyed by tokens joined with spaces, and
    // sacreBLEU's tokens come from splitting on whitespace and never hold one.
    private static void CheckTokens(IReadOnlyList<string> tokens, string name, bool noSpace)
    {
        if (tokens is null) throw new ArgumentNullException(name, "BLEU: a token list is null.");
        for (int i = 0; i < tokens.Count; i++)
            if (tokens[i] is null) throw new ArgumentNullException(name, $"BLEU: token {i} is null.");
            else if (noSpace && tokens[i].Contains(' ', StringComparison.Ordinal))
                throw new ArgumentException($"BLEU: token {i} ('{tokens[i]}') holds a space; n-grams are keyed by tokens joined with spaces, so split the text into tokens first.", name);
    }

    /// <summary>Adds the statistics of <paramref name="other"/> (same maximum order).</summary>
    public void Add(BleuStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.MaxOrder != MaxOrder) throw new ArgumentException($"BLEU: cannot add statistics of order {other.MaxOrder} to order {MaxOrder}.", nameof(other));
        for (int i = 0; i < MaxOrder; i++) { _matches[i] += other._matches[i]; _totals[i] += other._totals[i]; }
        HypothesisLength += other.HypothesisLength;
        ReferenceLength += other.ReferenceLength;
    }

    /// <summary>The reference length closest to <paramref name="hypothesisLength"/>; on a tie the shorter one.</summary>
    /// <exception cref="ArgumentException">No reference is given, or one is null.</exception>
    public static int ClosestReferenceLength(int hypothesisLength, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("BLEU: a sentence needs at least one reference.", nameof(references));
        for (int i = 0; i < references.Count; i++)
            if (references[i] is null) throw new ArgumentNullException(nameof(references), $"BLEU: reference {i} is null.");
        int best = references[0].Count;
        foreach (IReadOnlyList<string> reference in references)
        {
            int len = reference.Count, d = Math.Abs(len - hypothesisLength), dBest = Math.Abs(best - hypothesisLength);
            if (d < dBest || (d == dBest && len < best)) best = len;
        }
        return best;
    }

    /// <summary>
    /// Counts of the n-grams of order <paramref name="n"/>, each keyed by its tokens joined with a space (so tokens must
    /// not hold one: "a b" + "c" and "a" + "b c" would share a key; <see cref="Add(IReadOnlyList{string}, IReadOnlyList{IReadOnlyList{string}})"/> refuses them).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> or one of its tokens is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static Dictionary<string, int> NGrams(IReadOnlyList<string> tokens, int n)
    {
        CheckTokens(tokens, nameof(tokens), noSpace: false);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            string gram = n == 1 ? tokens[i] : string.Join(' ', Enumerable.Range(i, n).Select(k => tokens[k]));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
