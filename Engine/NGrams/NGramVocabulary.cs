using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>
/// Vocabulary of an n-gram model: <c>&lt;unk&gt;</c>, the sentence markers <c>&lt;s&gt;</c> (context only, never
/// predicted) and <c>&lt;/s&gt;</c> (predicted once per line), and the words. Built from training text the ids are
/// &lt;unk&gt;=0, &lt;s&gt;=1, &lt;/s&gt;=2, then words in ordinal string order; read from ARPA they follow the unigram
/// section (&lt;unk&gt; appended last when the file has none).
/// A literal <c>&lt;unk&gt;</c> in a corpus (as in PTB) is this symbol. Words are separated as KenLM separates them:
/// by space, tab, line feed, vertical tab, form feed and carriage return only (<see cref="IsSeparator"/>; C's
/// <c>isspace</c>), so a no-break space (U+00A0) or an ideographic space (U+3000) is part of a word.
/// </summary>
public sealed class NGramVocabulary : TokenVocabulary
{
    /// <summary>Sentence-start marker.</summary>
    public const string Bos = "<s>";

    /// <summary>Sentence-end marker.</summary>
    public const string Eos = "</s>";

    /// <summary>Creates a vocabulary from tokens in id order; &lt;unk&gt;, &lt;s&gt; and &lt;/s&gt; must be present.</summary>
    /// <exception cref="ArgumentException">A token is repeated, empty or contains a separator (<see cref="IsSeparator"/>).</exception>
    public NGramVocabulary(IReadOnlyList<string> tokens) : base(tokens, IsSeparator)
    {
        BosId = TryGetId(Bos, out int bos) ? bos : throw new ArgumentException($"The vocabulary must contain {Bos}.", nameof(tokens));
        EosId = TryGetId(Eos, out int eos) ? eos : throw new ArgumentException($"The vocabulary must contain {Eos}.", nameof(tokens));
    }

    /// <summary>Id of &lt;s&gt;.</summary>
    public int BosId { get; }

    /// <summary>Id of &lt;/s&gt;.</summary>
    public int EosId { get; }

    /// <summary>Every distinct word of <paramref name="lines"/> (<see cref="SplitWords"/>) plus the three special symbols.</summary>
    /// <exception cref="ArgumentException">A line contains &lt;s&gt; or &lt;/s&gt; (they are added per line, never read), or a lone UTF-16 surrogate.</exception>
    public static NGramVocabulary Build(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var words = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (line is null) throw new ArgumentException($"NGramVocabulary.Build: line {lineNumber} is null.", nameof(lines));
            RefuseLoneSurrogate(line, $"NGramVocabulary.Build: line {lineNumber}", nameof(lines));
            foreach (string w in SplitWords(line))
            {
                if (w is Bos or Eos) throw ReservedToken(lineNumber, w);
                words.Add(w);
            }
        }
        words.Remove(Unk);
        return new NGramVocabulary([Unk, Bos, Eos, .. words.Order(StringComparer.Ordinal)]);
    }

    /// <summary>The error for <paramref name="token"/> (&lt;s&gt; or &lt;/s&gt;) read on line <paramref name="lineNumber"/> (1-based) of a corpus.</summary>
    internal static ArgumentException ReservedToken(int lineNumber, string token) => new(ReservedTokenMessage(lineNumber, token));

    /// <summary>The message of <see cref="ReservedToken"/>, for training and scored text alike.</summary>
    internal static string ReservedTokenMessage(long lineNumber, string token) =>
        $"Line {lineNumber}: the corpus contains '{token}', which is reserved for sentence boundaries.";

    /// <summary>
    /// Encodes a line as <c>&lt;s&gt; w1 … wn &lt;/s&gt;</c>; words not in the vocabulary map to &lt;unk&gt;.
    /// <paramref name="oovs"/> is increased by the number of words that map to &lt;unk&gt; (KenLM counts a literal &lt;unk&gt; too).
    /// </summary>
    public int[] EncodeSentence(string line, ref long oovs)
    {
        ArgumentNullException.ThrowIfNull(line);
        int n = 0;
        foreach (Range r in line.AsSpan().SplitAny(SeparatorValues)) if (r.End.Value > r.Start.Value) n++;
        var ids = new int[n + 2];
        ids[0] = BosId;
        int i = 1;
        foreach (Range r in line.AsSpan().SplitAny(SeparatorValues))
        {
            if (r.End.Value == r.Start.Value) continue;
            int id = IdOrUnk(line.AsSpan()[r]);
            if (id == UnkId) oovs++;
            ids[i++] = id;
        }
        ids[^1] = EosId;
        return ids;
    }

    /// <summary>True for the characters that separate words: ' ', '\t', '\n', '\v', '\f', '\r' (KenLM's <c>kSpaces</c>).</summary>
    public static bool IsSeparator(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>The words of <paramref name="line"/>, split on <see cref="IsSeparator"/> characters (empty pieces dropped).</summary>
    public static string[] SplitWords(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
    }

    private static readonly char[] Separators = [' ', '\t', '\n', '\v', '\f', '\r'];
    private static readonly System.Buffers.SearchValues<char> SeparatorValues = System.Buffers.SearchValues.Create(Separators);
}
