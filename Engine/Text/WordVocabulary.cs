namespace SeqLearn.Text;

/// <summary>
/// Word-level vocabulary for neural language models: whitespace tokens, <c>&lt;unk&gt;</c> (id 0) and
/// <c>&lt;eos&gt;</c> (id 1) appended to every line, then words by decreasing count, ties broken by ordinal
/// string order. A literal <c>&lt;unk&gt;</c> in the text (as in PTB) is the unknown symbol itself.
/// On PTB train this gives 10,000 types (9,999 distinct tokens including &lt;unk&gt;, plus &lt;eos&gt;).
/// </summary>
public sealed class WordVocabulary : TokenVocabulary
{
    /// <summary>The end-of-line token appended by <see cref="EncodeLine"/>.</summary>
    public const string Eos = "<eos>";

    /// <summary>Creates a vocabulary from an explicit token list (e.g. a checkpoint); must contain &lt;unk&gt; and &lt;eos&gt;.</summary>
    public WordVocabulary(IReadOnlyList<string> tokens) : base(tokens)
    {
        if (!TryGetId(Eos, out int eos))
            throw new ArgumentException($"A word vocabulary must contain {Eos}.", nameof(tokens));
        EosId = eos;
    }

    /// <summary>Id of <c>&lt;eos&gt;</c>.</summary>
    public int EosId { get; }

    /// <summary>
    /// Builds the vocabulary from <paramref name="lines"/>. Words seen fewer than <paramref name="minCount"/> times
    /// are left out (they encode to &lt;unk&gt;); at most <paramref name="maxSize"/> symbols are kept in total,
    /// including &lt;unk&gt; and &lt;eos&gt;. Order: &lt;unk&gt;, &lt;eos&gt;, then count descending, then ordinal string order.
    /// </summary>
    public static WordVocabulary Build(IEnumerable<string> lines, int minCount = 1, int maxSize = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 2);
        ArgumentNullException.ThrowIfNull(lines);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (line is null) throw new ArgumentException($"WordVocabulary.Build: line {lineNumber} is null.", nameof(lines));
            RefuseLoneSurrogate(line, $"WordVocabulary.Build: line {lineNumber}", nameof(lines));
            foreach (string w in Tokenize(line))
                counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        var words = counts
            .Where(kv => kv.Key != Unk && kv.Key != Eos && kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key)
            .Take(maxSize - 2);
        return new WordVocabulary([Unk, Eos, .. words]);
    }

    /// <summary>Encodes one line and appends &lt;eos&gt;.</summary>
    public int[] EncodeLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        int[] words = Encode(line);
        var ids = new int[words.Length + 1];
        words.CopyTo(ids, 0);
        ids[^1] = EosId;
        return ids;
    }

    /// <summary>Encodes all lines into one id stream, &lt;eos&gt; after each line.</summary>
    public int[] EncodeLines(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return lines.SelectMany(EncodeLine).ToArray();
    }
}
