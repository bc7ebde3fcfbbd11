using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>
/// Draws sentences from a <see cref="BackoffModel"/>: starting from &lt;s&gt; (and an optional prompt), each step
/// computes p(w | state) for every symbol but &lt;s&gt;, renormalises (so stupid-backoff scores work too) and
/// samples by inverse CDF with a <see cref="SeededRng"/>. A symbol whose log10 p is at or below
/// <see cref="BackoffModel.LogZero"/> has probability 0, as in scoring, and is never drawn; when no allowed symbol has a
/// positive probability the sentence ends. Stops at &lt;/s&gt; or after a maximum number of tokens.
/// Same model, seed and prompt → same text.
/// </summary>
public sealed class NGramSampler
{
    private readonly BackoffModel _model;

    /// <summary>A sampler of <paramref name="model"/>'s sentences.</summary>
    public NGramSampler(BackoffModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _weights = new double[model.Vocabulary.Count];
    }

    private readonly double[] _weights;

    /// <summary>
    /// Generates one sentence. The result starts with the prompt's words (as written) and does not include &lt;/s&gt;.
    /// With <paramref name="allowUnk"/> false, &lt;unk&gt; is never drawn. A prompt holding &lt;s&gt; or &lt;/s&gt; is an
    /// <see cref="ArgumentException"/>, as in training and scored text.
    /// </summary>
    public string Sample(SeededRng rng, string prompt = "", int maxTokens = 100, bool allowUnk = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        NGramVocabulary vocab = _model.Vocabulary;
        NGramState state = _model.BeginSentence();
        var words = new List<string>(NGramVocabulary.SplitWords(prompt));
        foreach (string w in words)
        {
            if (w is NGramVocabulary.Bos or NGramVocabulary.Eos)   // as in training and scoring: they only mark the sentence's ends
                throw new ArgumentException($"NGramSampler: the prompt contains '{w}', which is reserved for sentence boundaries.", nameof(prompt));
            _model.LogProb10(state, vocab.IdOrUnk(w), state);
        }
        for (int step = 0; step < maxTokens; step++)
        {
            int next = Draw(rng, state, allowUnk);
            if (next == vocab.EosId) break;
            words.Add(vocab.TokenOf(next));
            _model.LogProb10(state, next, state);
        }
        return string.Join(' ', words);
    }

    private int Draw(SeededRng rng, NGramState state, bool allowUnk)
    {
        NGramVocabulary vocab = _model.Vocabulary;
        double total = 0;
        for (int w = 0; w < _weights.Length; w++)
        {
            bool excluded = w == vocab.BosId || (!allowUnk && w == vocab.UnkId);
            // A log10 p at or below the ARPA floor is probability 0, as the scorer treats it: weight exactly 0.
            double p = excluded ? 0 : Math.Pow(10, BackoffModel.ZeroAtFloor(_model.LogProb10(state, w, null)));
            _weights[w] = p;
            total += p;
        }
        double u = rng.NextDouble() * total, cumulative = 0;
        int last = vocab.EosId;
        for (int w = 0; w < _weights.Length; w++)
        {
            if (_weights[w] <= 0) continue;
            cumulative += _weights[w];
            last = w;
            if (u < cumulative) return w;
        }
        return last;
    }
}
