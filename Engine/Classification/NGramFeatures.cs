namespace SeqLearn.Classification;

/// <summary>
/// Binarised n-gram features of a sentence: the set of distinct word n-grams (orders 1 .. <see cref="MaxOrder"/>,
/// contiguous tokens, no boundary symbols) that occur in the training sentences the vocabulary was built from. A
/// sentence is encoded as its ascending array of feature ids, each present n-gram once (f̂ = 1[f &gt; 0]); n-grams
/// never seen in training are dropped. Ids are numbered in order of first occurrence in the training sentences
/// (sentence by sentence; within a sentence, its unigrams first, then its bigrams, …).
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
        ArgumentNullException.ThrowIfNull(training);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        char[] buffer = [];
        foreach (string[] tokens in training)
            for (int n = 1; n <= maxOrder; n++)
                for (int i = 0; i + n <= tokens.Length; i++)
                {
                    ReadOnlySpan<char> gram = n == 1 ? tokens[i] : Join(tokens, i, n, ref buffer);
                    lookup.TryAdd(gram, ids.Count); // the string is allocated only for a new n-gram
                }
        return new NGramFeatures(ids, maxOrder);
    }

    /// <summary>The ascending ids of the distinct known n-grams of <paramref name="tokens"/>.</summary>
    public int[] Encode(string[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (Array.IndexOf(tokens, null) is int at and >= 0) throw new ArgumentNullException(nameof(tokens), $"NGramFeatures.Encode: token {at} is null.");
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var found = new List<int>(tokens.Length * MaxOrder);
        char[] buffer = [];
        for (int n = 1; n <= MaxOrder; n++)
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                ReadOnlySpan<char> gram = n == 1 ? tokens[i] : Join(tokens, i, n, ref buffer);
                if (lookup.TryGetValue(gram, out int id)) found.Add(id);
            }
        found.Sort();
        int unique = 0;
        for (int k = 0; k < found.Count; k++)
            if (k == 0 || found[k] != found[k - 1]) found[unique++] = found[k];
        return found.GetRange(0, unique).ToArray();
    }

    /// <summary>tokens[i .. i+n) joined by single spaces into <paramref name="buffer"/> (grown as needed).</summary>
    private static ReadOnlySpan<char> Join(string[] tokens, int i, int n, ref char[] buffer)
    {
        int length = n - 1;
        for (int t = i; t < i + n; t++) length += tokens[t].Length;
        if (buffer.Length < length) buffer = new char[Math.Max(length, 2 * buffer.Length)];
        int at = 0;
        for (int t = i; t < i + n; t++)
        {
            if (t > i) buffer[at++] = ' ';
            tokens[t].CopyTo(buffer.AsSpan(at));
            at += tokens[t].Length;
        }
        return buffer.AsSpan(0, length);
    }

    /// <summary>Encodes every sentence of <paramref name="sentences"/>.</summary>
    public int[][] EncodeAll(IReadOnlyList<string[]> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var rows = new int[sentences.Count][];
        for (int i = 0; i < rows.Length; i++) rows[i] = Encode(sentences[i]);
        return rows;
    }
}
