using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>
/// Counts of every n-gram of orders 1..N in a corpus, each line padded as <c>&lt;s&gt; w1 … wn &lt;/s&gt;</c>.
/// Only n-grams that end on a predicted word are counted (never one ending in &lt;s&gt;); the unigram table
/// holds every vocabulary id with entry == id (&lt;s&gt; and an unseen &lt;unk&gt; with count 0).
/// Also links every k-gram to its context (first k−1 words) and its suffix (last k−1 words) in table k−1,
/// so estimators work on flat arrays. Memory is proportional to the number of distinct n-grams.
/// </summary>
public sealed class NGramCounts
{
    private readonly NGramTable[] _tables;   // [k-1]: k-grams
    private readonly int[][] _counts;         // [k-1][entry]: raw count c(w1..wk)
    private readonly int[][] _contextOf;      // [k-1][entry]: context entry in table k-1 (0 for unigrams: the empty context)
    private readonly int[][] _suffixOf;       // [k-1][entry]: suffix entry in table k-1 (unused for unigrams)

    private NGramCounts(NGramVocabulary vocabulary, NGramTable[] tables, int[][] counts, int[][] contextOf, int[][] suffixOf)
    {
        Vocabulary = vocabulary;
        _tables = tables;
        _counts = counts;
        _contextOf = contextOf;
        _suffixOf = suffixOf;
        Order = tables.Length;
    }

    /// <summary>The vocabulary the ids refer to.</summary>
    public NGramVocabulary Vocabulary { get; }

    /// <summary>Highest order N.</summary>
    public int Order { get; }

    /// <summary>Number of training tokens predicted (words plus one &lt;/s&gt; per line).</summary>
    public long TokenCount => _counts[0].Sum(c => (long)c);

    /// <summary>The table of k-grams.</summary>
    public NGramTable Table(int k) => _tables[CheckOrder(k, Order, "NGramCounts.Table")];

    /// <summary>Raw counts c(w1..wk) by entry of <see cref="Table"/>(k).</summary>
    public ReadOnlySpan<int> Counts(int k) => _counts[CheckOrder(k, Order, "NGramCounts.Counts")];

    /// <summary>For each k-gram, the entry of its context (w1..wk−1) in table k−1; for unigrams 0, the single empty context.</summary>
    public ReadOnlySpan<int> ContextOf(int k) => _contextOf[CheckOrder(k, Order, "NGramCounts.ContextOf")];

    /// <summary>For each k-gram (k ≥ 2), the entry of its suffix (w2..wk) in table k−1.</summary>
    public ReadOnlySpan<int> SuffixOf(int k) => _suffixOf[CheckOrder(k, Order, "NGramCounts.SuffixOf")];

    /// <summary>Number of contexts of order k: 1 (the empty context) for k = 1, else the number of (k−1)-grams.</summary>
    public int ContextCount(int k) => CheckOrder(k, Order, "NGramCounts.ContextCount") == 0 ? 1 : _tables[k - 2].Count;

    /// <summary>
    /// k − 1, the index of order <paramref name="k"/> in per-order arrays, when k is in [1, <paramref name="order"/>];
    /// otherwise an <see cref="ArgumentOutOfRangeException"/> naming <paramref name="op"/> and the range.
    /// </summary>
    internal static int CheckOrder(int k, int order, string op) => k >= 1 && k <= order
        ? k - 1
        : throw new ArgumentOutOfRangeException(nameof(k), k, $"{op}: order k = {k} is outside [1, {order}].");

    /// <summary>Approximate bytes held (tables and per-entry arrays).</summary>
    public long Bytes => _tables.Sum(t => t.Bytes + 12L * t.Count);

    /// <summary>
    /// The highest order counted, 20. Every token starts one n-gram of each order and an n-gram of order N stores N
    /// ids, so memory grows as N² per token, while n-grams longer than a few words are almost all seen once and add
    /// nothing the estimators can smooth (KenLM's default build stops at 6).
    /// </summary>
    public const int MaxOrder = 20;

    /// <summary>Counts n-grams of orders 1..<paramref name="order"/> in <paramref name="lines"/> (vocabulary built from them if not given).</summary>
    /// <exception cref="ArgumentException">A line contains &lt;s&gt; or &lt;/s&gt;, as <see cref="NGramVocabulary.Build"/> says, with or without a given vocabulary; or the lines hold more distinct k-grams than one <see cref="NGramTable"/> holds (the limit named).</exception>
    public static NGramCounts Count(IReadOnlyList<string> lines, int order, NGramVocabulary? vocabulary = null) =>
        Count(lines, order, vocabulary, int.MaxValue);

    /// <summary><see cref="Count(IReadOnlyList{string}, int, NGramVocabulary?)"/> with tables of at most <paramref name="maxEntries"/> n-grams each.</summary>
    internal static NGramCounts Count(IReadOnlyList<string> lines, int order, NGramVocabulary? vocabulary, int maxEntries)
    {
        if (order < 1 || order > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"NGramCounts: the order must be in [1, {MaxOrder}], got {order}.");
        ArgumentNullException.ThrowIfNull(lines);
        for (int i = 0; i < lines.Count; i++)
            if (lines[i] is null) throw new ArgumentException($"NGramCounts: line {i + 1} is null.", nameof(lines));
        bool given = vocabulary is not null;   // a vocabulary built here has refused the markers in the lines already
        vocabulary ??= NGramVocabulary.Build(lines);
        var tables = new NGramTable[order];
        var counts = new int[order][];
        var contextOf = new int[order][];
        var suffixOf = new int[order][];
        int[] sizeGuess = EstimateSizes(lines, order, vocabulary.Count);
        for (int k = 1; k <= order; k++)
        {
            tables[k - 1] = new NGramTable(k, sizeGuess[k - 1], maxEntries);
            counts[k - 1] = new int[Math.Max(16, sizeGuess[k - 1])];
            contextOf[k - 1] = new int[counts[k - 1].Length];
            suffixOf[k - 1] = new int[counts[k - 1].Length];
        }
        try { CountInto(lines, vocabulary, given, tables, counts, contextOf, suffixOf); }
        catch (NGramTableFullException e)
        {
            throw new ArgumentException($"NGramCounts: the lines hold more distinct n-grams than one table holds ({e.Message.TrimEnd('.')}); count a lower order or fewer lines.", e);
        }
        for (int k = 0; k < order; k++)
        {
            Array.Resize(ref counts[k], tables[k].Count);
            Array.Resize(ref contextOf[k], tables[k].Count);
            Array.Resize(ref suffixOf[k], tables[k].Count);
        }
        return new NGramCounts(vocabulary, tables, counts, contextOf, suffixOf);
    }

    // Adds every vocabulary id and every n-gram of the lines to the tables; a full table is an NGramTableFullException.
    // checkMarkers: refuse <s> and </s> inside a line (a given vocabulary holds them; Build refuses them in the text).
    private static void CountInto(IReadOnlyList<string> lines, NGramVocabulary vocabulary, bool checkMarkers, NGramTable[] tables, int[][] counts,
        int[][] contextOf, int[][] suffixOf)
    {
        int order = tables.Length;
        for (int id = 0; id < vocabulary.Count; id++) tables[0].Add([id]);

        // entryAt[k-1] = entry of the k-gram ending at the current position; previous[k-1] the same one position
        // earlier. The context of the k-gram ending at i is the (k−1)-gram ending at i−1, its suffix the (k−1)-gram
        // ending at i, so the links come for free while counting.
        var entryAt = new int[order];
        var previous = new int[order];
        long oovs = 0;
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            int[] s = vocabulary.EncodeSentence(line, ref oovs); // <s> w1 … wn </s>
            if (checkMarkers)
                for (int j = 1; j < s.Length - 1; j++)
                    if (s[j] == vocabulary.BosId || s[j] == vocabulary.EosId)
                        throw NGramVocabulary.ReservedToken(lineNumber, s[j] == vocabulary.BosId ? NGramVocabulary.Bos : NGramVocabulary.Eos);
            previous[0] = vocabulary.BosId;
            for (int i = 1; i < s.Length; i++)
            {
                ulong hash = NGramTable.EmptyHash;
                for (int k = 1; k <= order && i - k + 1 >= 0; k++)
                {
                    hash = NGramTable.Extend(hash, s[i - k + 1]);
                    int e = tables[k - 1].Add(s.AsSpan(i - k + 1, k), hash, out bool added);
                    if (e >= counts[k - 1].Length)
                    {
                        int size = counts[k - 1].Length * 2;
                        Array.Resize(ref counts[k - 1], size);
                        Array.Resize(ref contextOf[k - 1], size);
                        Array.Resize(ref suffixOf[k - 1], size);
                    }
                    counts[k - 1][e]++;
                    if (added && k > 1)
                    {
                        contextOf[k - 1][e] = previous[k - 2];
                        suffixOf[k - 1][e] = entryAt[k - 2];
                    }
                    entryAt[k - 1] = e;
                }
                (previous, entryAt) = (entryAt, previous);
            }
        }
    }

    // Distinct k-grams are at most the number of positions (≈ characters / 5 + one </s> per line). On natural
    // text about 2/5 of the positions start a new bigram, 3/5 a new trigram and 4/5 a new 4-gram or longer, so
    // that first guess avoids most re-hashing; tables still grow on demand, and the guess is capped.
    private static int[] EstimateSizes(IReadOnlyList<string> lines, int order, int vocabularySize)
    {
        long chars = 0;
        foreach (string line in lines) chars += line.Length;
        long positions = chars / 5 + lines.Count;
        var sizes = new int[order];
        sizes[0] = vocabularySize + 1;
        for (int k = 2; k <= order; k++) sizes[k - 1] = (int)Math.Min(1 << 22, Math.Max(16, positions * Math.Min(k, 4) / 5));
        return sizes;
    }

    /// <summary>
    /// Kneser-Ney adjusted counts a(·), as KenLM's lmplz: the highest order keeps raw counts; a lower-order
    /// n-gram gets its continuation count N1+(· w1..wk) = number of distinct words seen before it, except
    /// n-grams starting with &lt;s&gt;, which have no left context and keep their raw counts. &lt;s&gt; itself gets 0.
    /// </summary>
    public int[][] AdjustedCounts()
    {
        var adjusted = new int[Order][];
        adjusted[Order - 1] = (int[])_counts[Order - 1].Clone();
        for (int k = Order - 1; k >= 1; k--)
        {
            var a = new int[_tables[k - 1].Count];
            ReadOnlySpan<int> suffixOfHigher = SuffixOf(k + 1);
            for (int e = 0; e < suffixOfHigher.Length; e++) a[suffixOfHigher[e]]++;
            int bos = Vocabulary.BosId;
            for (int e = 0; e < a.Length; e++)
                if (_tables[k - 1].Key(e)[0] == bos) a[e] = _counts[k - 1][e];
            if (k == 1) a[bos] = 0;
            adjusted[k - 1] = a;
        }
        return adjusted;
    }
}
