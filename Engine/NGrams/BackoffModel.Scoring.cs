using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>Sentence and corpus scoring (KenLM's <c>query</c> semantics).</summary>
public sealed partial class BackoffModel : ILanguageModelEvaluator
{
    /// <summary>Per-token result of <see cref="ScoreSentence"/>.</summary>
    /// <param name="Token">The token as written (&lt;/s&gt; for the end).</param>
    /// <param name="Id">Its vocabulary id (&lt;unk&gt; for an OOV).</param>
    /// <param name="Log10Prob">log10 p(token | history); −∞ for probability 0 (a value at or below <see cref="LogZero"/>, the ARPA floor).</param>
    /// <param name="IsOov">True when the token mapped to &lt;unk&gt;.</param>
    public readonly record struct TokenScore(string Token, int Id, float Log10Prob, bool IsOov)
    {
        /// <summary>Natural-log probability.</summary>
        public double LogProb => Log10Prob * Math.Log(10);
    }

    /// <summary>Scores one sentence: every word, then &lt;/s&gt;, starting from the &lt;s&gt; context.</summary>
    /// <exception cref="ArgumentException">The line contains &lt;s&gt; or &lt;/s&gt; (the boundaries are added, never read).</exception>
    public TokenScore[] ScoreSentence(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] words = NGramVocabulary.SplitWords(line);
        var scores = new TokenScore[words.Length + 1];
        NGramState state = BeginSentence();
        for (int i = 0; i <= words.Length; i++)
        {
            string token = i < words.Length ? words[i] : NGramVocabulary.Eos;
            int id = Vocabulary.IdOrUnk(token);
            if (i < words.Length && (id == Vocabulary.BosId || id == Vocabulary.EosId))
                throw new ArgumentException($"ScoreSentence: token {i + 1} is '{token}', which is reserved for sentence boundaries.", nameof(line));
            scores[i] = new TokenScore(token, id, ZeroAtFloor(LogProb10(state, id, state)), id == Vocabulary.UnkId);
        }
        return scores;
    }

    /// <summary>
    /// −∞ for a log10 probability at or below <see cref="LogZero"/> (−99, the ARPA form of log10 0: an unseen n-gram of a
    /// maximum-likelihood model, a back-off of −99, an OOV under a model without &lt;unk&gt;), otherwise the value itself.
    /// </summary>
    internal static float ZeroAtFloor(float log10Prob) => log10Prob <= LogZero ? float.NegativeInfinity : log10Prob;

    /// <summary>Total log10 probability of a sentence, &lt;/s&gt; included.</summary>
    public double SentenceLog10Prob(string line) => ScoreSentence(line).Sum(s => (double)s.Log10Prob);

    /// <summary>Total natural-log probability (nats) of a sentence, &lt;/s&gt; included.</summary>
    public double SentenceLogProb(string line) => SentenceLog10Prob(line) * Math.Log(10);

    /// <summary>
    /// Scores all lines (allocation-free per token: words are looked up as spans). OOVs are words that map
    /// to &lt;unk&gt;, counted as KenLM does (a literal &lt;unk&gt; counts too). A token whose log10 p is at or below
    /// <see cref="LogZero"/> has probability 0: the total is −∞ and the perplexity +∞ (the in-vocabulary total, and the
    /// perplexity excluding OOVs, stay finite when only OOVs have probability 0).
    /// </summary>
    /// <exception cref="InvalidDataException">A line contains &lt;s&gt; or &lt;/s&gt; (the boundaries are added per line, never
    /// read; <see cref="NGramCounts.Count(IReadOnlyList{string}, int, NGramVocabulary?)"/> refuses them the same way): the message names the line and the token.</exception>
    /// <exception cref="InvalidDataException">The model gives a token a probability above 1: its back-off weights are not
    /// normalised (an ARPA file may hold any positive back-off), and a perplexity computed from such values would be
    /// meaningless (below 1, even 0). The message names the line, the token and its log10 probability.</exception>
    public LanguageModelScore Evaluate(IEnumerable<string> lines)
    {
        double total10 = 0, oov10 = 0, inVocabulary10 = 0;   // each −∞ once one of its tokens has probability 0
        long tokens = 0, oovs = 0, sentences = 0;
        NGramState state = EmptyState();
        NGramState start = BeginSentence();
        int unk = Vocabulary.UnkId;
        ArgumentNullException.ThrowIfNull(lines);
        foreach (string line in lines)
        {
            if (line is null) throw new ArgumentException($"BackoffModel.Evaluate: line {sentences + 1} is null.", nameof(lines));
            state.CopyFrom(start);
            ReadOnlySpan<char> rest = line;
            int words = 0;
            while (true)
            {
                int skip = 0;
                while (skip < rest.Length && NGramVocabulary.IsSeparator(rest[skip])) skip++;
                rest = rest[skip..];
                if (rest.IsEmpty) break;
                int end = 0;
                while (end < rest.Length && !NGramVocabulary.IsSeparator(rest[end])) end++;
                var word = rest[..end];
                int id = Vocabulary.IdOrUnk(word);
                if (id == Vocabulary.BosId || id == Vocabulary.EosId)
                    throw new InvalidDataException(NGramVocabulary.ReservedTokenMessage(sentences + 1, word.ToString()));
                rest = rest[end..];
                words++;
                float lp = ZeroAtFloor(LogProb10(state, id, state));
                if (lp > 0) throw AboveOne(sentences + 1, word.ToString(), words, lp);
                total10 += lp;
                tokens++;
                if (id == unk) { oovs++; oov10 += lp; }
                else inVocabulary10 += lp;
            }
            float eos = ZeroAtFloor(LogProb10(state, Vocabulary.EosId, state));
            if (eos > 0) throw AboveOne(sentences + 1, NGramVocabulary.Eos, words + 1, eos);
            total10 += eos;
            inVocabulary10 += eos;
            tokens++;
            sentences++;
        }
        double ln10 = Math.Log(10);
        return new LanguageModelScore(total10 * ln10, tokens, oovs, oov10 * ln10, sentences) { InVocabularyLogProb = inVocabulary10 * ln10 };
    }

    private static InvalidDataException AboveOne(long line, string token, int position, float log10Prob) =>
        new($"line {line}: the model gives '{token}' (token {position}) log10 p = {log10Prob.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}, " +
            "a probability above 1: its back-off weights are not normalised, so no perplexity is computed.");
}
