using SeqLearn.Text;

namespace SeqLearn.Translation;

/// <summary>
/// A word vocabulary for one side of a translation model: <c>&lt;pad&gt;</c> (id 0), <c>&lt;unk&gt;</c> (1),
/// <c>&lt;bos&gt;</c> (2), <c>&lt;eos&gt;</c> (3), then the tokens seen at least <c>minCount</c> times (default 2, as
/// d2l's <c>MTFraEng</c>) by decreasing count, ties in ordinal string order. Counted over the training pairs only
/// (<see cref="TranslationSplit.TrainPairs"/>, one count per occurrence in a pair), so nothing of the valid or test
/// parts leaks into the model's inputs.
/// </summary>
public sealed class TranslationVocabulary : TokenVocabulary
{
    /// <summary>The padding token (fills a batch row past its length).</summary>
    public const string Pad = "<pad>";

    /// <summary>The beginning-of-sentence token (the decoder's first input).</summary>
    public const string Bos = "<bos>";

    /// <summary>The end-of-sentence token (appended to every sentence).</summary>
    public const string Eos = "<eos>";

    /// <summary>The minimum count of d2l's <c>MTFraEng</c> vocabularies.</summary>
    public const int DefaultMinCount = 2;

    /// <summary>Creates a vocabulary from an explicit token list (e.g. a checkpoint); it must start with &lt;pad&gt; &lt;unk&gt; &lt;bos&gt; &lt;eos&gt;.</summary>
    /// <exception cref="ArgumentException">The four special tokens are missing or not at ids 0–3.</exception>
    public TranslationVocabulary(IReadOnlyList<string> tokens) : base(tokens)
    {
        if (tokens.Count < 4 || tokens[0] != Pad || tokens[1] != Unk || tokens[2] != Bos || tokens[3] != Eos)
            throw new ArgumentException($"A translation vocabulary must start with {Pad} {Unk} {Bos} {Eos}.", nameof(tokens));
    }

    /// <summary>Id of &lt;pad&gt; (0).</summary>
    public int PadId => 0;

    /// <summary>Id of &lt;bos&gt; (2).</summary>
    public int BosId => 2;

    /// <summary>Id of &lt;eos&gt; (3).</summary>
    public int EosId => 3;

    /// <summary>
    /// The special ids (pad, bos, eos, unk) as a <see cref="SpecialTokens"/>, what <see cref="TranslationTask{T}"/> and
    /// the decoders take: pass the target vocabulary's.
    /// </summary>
    public SpecialTokens Specials => new(PadId, BosId, EosId, UnkId);

    /// <summary>Counts the whitespace tokens of <paramref name="sentences"/> and keeps those seen at least <paramref name="minCount"/> times.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="sentences"/> or one of its sentences is null.</exception>
    public static TranslationVocabulary Build(IEnumerable<string> sentences, int minCount = DefaultMinCount)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        int position = 0;
        foreach (string sentence in sentences)
        {
            if (sentence is null) throw new ArgumentNullException(nameof(sentences), $"TranslationVocabulary.Build: sentence {position} is null.");
            position++;
            foreach (string w in Tokenize(sentence))
                counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        string[] specials = [Pad, Unk, Bos, Eos];
        var words = counts
            .Where(kv => kv.Value >= minCount && !specials.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        return new TranslationVocabulary([.. specials, .. words]);
    }

    /// <summary>The ids of a sentence followed by &lt;eos&gt; (unknown tokens → &lt;unk&gt;).</summary>
    public int[] EncodeSentence(string sentence)
    {
        int[] words = Encode(sentence);
        var ids = new int[words.Length + 1];
        words.CopyTo(ids, 0);
        ids[^1] = EosId;
        return ids;
    }
}
