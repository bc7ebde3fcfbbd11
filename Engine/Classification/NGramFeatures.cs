namespace SeqLearn.Classification;

/// <summary>
/// Binarised n-gram features of a sentence: the set of distinct word n-grams (orders 1 .. <see cref="MaxOrder"/>,
/// contiguous tokens, no boundary symbols) that occur in the training sentences the vocabulary was built from. A
/// sentence is encoded as its ascending array of feature ids, each present n-gram once (f̂ = 1[f &gt; 0]); n-grams
/// never seen in training are dropped. Ids are numbered in order of first occurrence in the training sentences.
/// </summary>
public sealed class NGramFeatures
{
    private readonly Dictionary<string, int> _ids;

    private NGramFeatures(Dictionary<string, int> ids, int maxOrder)
    {
        _ids = ids;
        MaxOrder = maxOrder;
    }

    /// <summary>Highest n-gram order (1 = unigrams, 2 = unigrams and bigrams).</summary>
    public int MaxOrder { get; }

    /// <summary>Number of features |V|.</summary>
    public int Count => _ids.Count;

    /// <summary>Collects every n-gram of order 1 .. <paramref name="maxOrder"/> in <paramref name="training"/>.</summary>
    public static NGramFeatures Build(IEnumerable<string[]> training, int maxOrder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string[] tokens in training)
            foreach (string gram in NGrams(tokens, maxOrder))
                ids.TryAdd(gram, ids.Count);
        return new NGramFeatures(ids, maxOrder);
    }

    /// <summary>The ascending ids of the distinct known n-grams of <paramref name="tokens"/>.</summary>
    public int[] Encode(string[] tokens)
    {
        var present = new SortedSet<int>();
        foreach (string gram in NGrams(tokens, MaxOrder))
            if (_ids.TryGetValue(gram, out int id)) present.Add(id);
        return present.ToArray();
    }

    /// <summary>Encodes every sentence of <paramref name="sentences"/>.</summary>
    public int[][] EncodeAll(IReadOnlyList<string[]> sentences)
    {
        var rows = new int[sentences.Count][];
        for (int i = 0; i < rows.Length; i++) rows[i] = Encode(sentences[i]);
        return rows;
    }

    /// <summary>The n-grams of a sentence as strings, tokens joined by one space (tokens never contain whitespace).</summary>
    private static IEnumerable<string> NGrams(string[] tokens, int maxOrder)
    {
        for (int n = 1; n <= maxOrder; n++)
            for (int i = 0; i + n <= tokens.Length; i++)
                yield return n == 1 ? tokens[i] : string.Join(' ', tokens, i, n);
    }
}
