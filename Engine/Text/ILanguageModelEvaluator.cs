namespace SeqLearn.Text;

/// <summary>
/// Anything that can score held-out text as a language model: an ARPA n-gram model or a neural checkpoint.
/// Lines are tokenised by the model's own vocabulary (words split on whitespace, or characters); each line is one
/// sentence/sequence and its end symbol (&lt;/s&gt;, &lt;eos&gt; or a character model's newline) is one predicted token.
/// </summary>
public interface ILanguageModelEvaluator
{
    /// <summary>Scores every token of <paramref name="lines"/> and returns the totals.</summary>
    LanguageModelScore Evaluate(IEnumerable<string> lines);
}

/// <summary>
/// Totals of a language-model evaluation. Log-probabilities are natural logs (nats).
/// <code>
/// PPL           = exp(−TotalLogProb / Tokens)
/// PPL excl. OOV = exp(−InVocabularyLogProb / (Tokens − Oovs)),   InVocabularyLogProb = TotalLogProb − OovLogProb unless given
/// bits/token    = −TotalLogProb / (Tokens · ln 2)
/// </code>
/// </summary>
/// <param name="TotalLogProb">Σ ln p over all predicted tokens, OOVs included.</param>
/// <param name="Tokens">Number of predicted tokens (words or characters, plus one end symbol per line).</param>
/// <param name="Oovs">Tokens that were out of the vocabulary (scored as &lt;unk&gt;).</param>
/// <param name="OovLogProb">Σ ln p over the OOV tokens only.</param>
/// <param name="Sentences">Number of end symbols predicted: one per line scored (none for a character model without a newline symbol).</param>
/// <remarks>A token of probability 0 (an n-gram model's log10 p at the ARPA floor −99) makes its sums −∞, so
/// <see cref="Perplexity"/> is +∞.</remarks>
public readonly record struct LanguageModelScore(double TotalLogProb, long Tokens, long Oovs, double OovLogProb, long Sentences)
{
    private readonly double? _inVocabularyLogProb;

    /// <summary>
    /// Σ ln p over the tokens that are not OOVs: TotalLogProb − OovLogProb unless the evaluator gives it, which it must when
    /// a token can have probability 0 (−∞ − (−∞) says nothing about the in-vocabulary tokens).
    /// </summary>
    public double InVocabularyLogProb { get => _inVocabularyLogProb ?? TotalLogProb - OovLogProb; init => _inVocabularyLogProb = value; }

    /// <summary>Mean cross-entropy in nats per token, OOVs included (a neural LM's loss): −TotalLogProb / Tokens.</summary>
    public double Loss => -TotalLogProb / Tokens;

    /// <summary>Perplexity over all tokens, OOVs included.</summary>
    public double Perplexity => Math.Exp(-TotalLogProb / Tokens);

    /// <summary>Perplexity over in-vocabulary tokens only.</summary>
    public double PerplexityExcludingOovs => Math.Exp(-InVocabularyLogProb / (Tokens - Oovs));

    /// <summary>Cross-entropy in bits per token, OOVs included.</summary>
    public double BitsPerToken => -TotalLogProb / (Tokens * Math.Log(2));

    /// <summary>Total log10 probability (as KenLM prints it).</summary>
    public double TotalLog10Prob => TotalLogProb / Math.Log(10);
}
