using System.Buffers;
using System.Collections.Concurrent;

namespace SeqLearn.Translation;

/// <summary>
/// The translation-memory baseline: for a source sentence q, find the training source s with the highest
/// uni+bigram F1 and output the most common target of s (<see cref="TranslationExample.MostCommonReference"/>).
/// <code>
/// G(x) = multiset of the unigrams and bigrams of x        |G(x)| = |x| + max(|x| − 1, 0)
/// m(q, s) = Σ_g min(c_q(g), c_s(g))                       F1(q, s) = 2 m(q, s) / (|G(q)| + |G(s)|)
/// </code>
/// Ties in F1 go to the training example that comes first in <see cref="TranslationExample"/> order as given to the
/// constructor; when no training source shares an n-gram with q (or q is empty) that is the first example.
/// Lookup is through an inverted index (n-gram → (example, count) postings), so only sources that share an n-gram
/// with q are visited; F1 values are compared exactly as fractions.
/// </summary>
public sealed class TranslationMemory : ITranslator
{
    private readonly string[] _outputs;          // most common target of each training example
    private readonly int[] _gramCounts;          // |G(s)| of each training example
    private readonly Dictionary<string, int> _tokenIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _gramIds = new(GramKeyComparer.Instance);
    private readonly int[] _postingStart;        // postings of gram g: [_postingStart[g], _postingStart[g + 1])
    private readonly int[] _postingExample;
    private readonly int[] _postingCount;
    private readonly ConcurrentBag<int[]> _zeroedOverlaps = [];   // per-example overlap counts, all 0 between queries

    /// <summary>Indexes <paramref name="training"/> (e.g. <see cref="TranslationSplit.Train"/>).</summary>
    /// <exception cref="ArgumentException">No training example is given, or one is null.</exception>
    public TranslationMemory(IReadOnlyList<TranslationExample> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        for (int i = 0; i < training.Count; i++)
            if (training[i] is null) throw new ArgumentNullException(nameof(training), $"TranslationMemory: training example {i} is null.");
        if (training.Count == 0) throw new ArgumentException("TranslationMemory: no training examples.", nameof(training));
        int n = training.Count;
        _outputs = new string[n];
        _gramCounts = new int[n];
        var perExample = new List<(int Gram, int Count)>[n];
        int postings = 0;
        var gramTotals = new List<int>();
        for (int i = 0; i < n; i++)
        {
            _outputs[i] = training[i].MostCommonReference;
            int[] tokens = FraEngText.Tokenize(training[i].Source).Select(t => TokenId(t, add: true)).ToArray();
            _gramCounts[i] = GramCount(tokens.Length);
            perExample[i] = [];
            foreach (var (key, count) in GramKeys(tokens))
            {
                if (!_gramIds.TryGetValue(key, out int g)) { g = _gramIds[key] = gramTotals.Count; gramTotals.Add(0); }
                perExample[i].Add((g, count));
                gramTotals[g]++;
                postings++;
            }
        }
        _postingStart = new int[gramTotals.Count + 1];
        for (int g = 0; g < gramTotals.Count; g++) _postingStart[g + 1] = _postingStart[g] + gramTotals[g];
        _postingExample = new int[postings];
        _postingCount = new int[postings];
        int[] fill = _postingStart[..^1];
        for (int i = 0; i < n; i++)
            foreach (var (g, count) in perExample[i])
            {
                _postingExample[fill[g]] = i;
                _postingCount[fill[g]++] = count;
            }
    }

    /// <inheritdoc/>
    public string Description => "memory: nearest training source by unigram+bigram F1, its most common translation";

    /// <inheritdoc/>
    public string Translate(string source) => _outputs[Nearest(source)];

    /// <summary>The index of the training example whose source is nearest to <paramref name="source"/> (see the type's summary).</summary>
    public int Nearest(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        string[] words = FraEngText.Tokenize(source);
        var ids = new int[words.Length];
        for (int i = 0; i < words.Length; i++) ids[i] = TokenId(words[i], add: false);
        int queryGrams = GramCount(ids.Length);
        int n = _outputs.Length;
        // Only the examples a query touches are counted, and only they are reset after it: a query costs its postings,
        // not the number of training examples.
        int[] overlap = _zeroedOverlaps.TryTake(out int[]? zeroed) ? zeroed : new int[n];
        int[] touched = ArrayPool<int>.Shared.Rent(n);
        int touchedCount = 0;
        try
        {
            foreach (var (key, count) in GramKeys(ids))
            {
                if (!_gramIds.TryGetValue(key, out int g)) continue;
                for (int p = _postingStart[g]; p < _postingStart[g + 1]; p++)
                {
                    int e = _postingExample[p];
                    if (overlap[e] == 0) touched[touchedCount++] = e;
                    overlap[e] += Math.Min(count, _postingCount[p]);
                }
            }
            int best = 0;
            long bestM = 0, bestDen = 1;  // F1 = 2m / den; compare m / den exactly: m·den' vs m'·den
            foreach (int e in touched.AsSpan(0, touchedCount))
            {
                long m = overlap[e], den = queryGrams + _gramCounts[e];
                long lhs = m * bestDen, rhs = bestM * den;
                if (lhs > rhs || (lhs == rhs && e < best)) (best, bestM, bestDen) = (e, m, den);
            }
            return best;
        }
        finally
        {
            foreach (int e in touched.AsSpan(0, touchedCount)) overlap[e] = 0;
            _zeroedOverlaps.Add(overlap);
            ArrayPool<int>.Shared.Return(touched);
        }
    }

    /// <summary>F1(q, s) of the type's summary, computed directly from the two sentences (no index).</summary>
    public static double Similarity(string query, string candidate)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(candidate);
        string[] q = FraEngText.Tokenize(query), s = FraEngText.Tokenize(candidate);
        int den = GramCount(q.Length) + GramCount(s.Length);
        if (den == 0) return 0;
        int m = 0;
        for (int n = 1; n <= 2; n++)
        {
            Dictionary<string, int> cs = BleuStatistics.NGrams(s, n);
            foreach (var (gram, c) in BleuStatistics.NGrams(q, n)) m += Math.Min(c, cs.GetValueOrDefault(gram));
        }
        return 2.0 * m / den;
    }

    private static int GramCount(int length) => length + Math.Max(length - 1, 0);

    // Unknown query tokens get id −1: their unigram and bigrams are in no posting list.
    private int TokenId(string token, bool add)
    {
        if (_tokenIds.TryGetValue(token, out int id)) return id;
        if (!add) return -1;
        return _tokenIds[token] = _tokenIds.Count;
    }

    // Unigram key: the token id (high word 0); bigram key: (id1 + 1) in the high word, id2 in the low word.
    private static Dictionary<long, int> GramKeys(int[] tokens)
    {
        var keys = new Dictionary<long, int>(GramKeyComparer.Instance);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] >= 0) keys[tokens[i]] = keys.GetValueOrDefault(tokens[i]) + 1;
            if (i + 1 < tokens.Length && tokens[i] >= 0 && tokens[i + 1] >= 0)
            {
                long key = ((long)(tokens[i] + 1) << 32) | (uint)tokens[i + 1];
                keys[key] = keys.GetValueOrDefault(key) + 1;
            }
        }
        return keys;
    }

    /// <summary>
    /// Equality of gram keys with a hash that mixes both words. <see cref="long.GetHashCode"/> is the XOR of the two
    /// words, under which a bigram key (id1 + 1, id2) collides with every other pair of the same XOR: with V tokens there
    /// are at most about 2^⌈log₂ V⌉ hash codes for V² bigrams, and lookups walk long collision chains.
    /// </summary>
    internal sealed class GramKeyComparer : IEqualityComparer<long>
    {
        public static readonly GramKeyComparer Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);   // Fibonacci hashing: the high bits of the product
    }
}
