namespace SeqLearn.Training;

/// <summary>
/// The usual ways to report a language model's mean cross-entropy ℓ (nats per predicted token):
/// <code>
/// perplexity        = exp(ℓ)
/// bits per token    = ℓ / ln 2
/// bits per character = ℓ · N_tokens / (N_chars · ln 2)     (a word model's loss spread over the characters it covers)
/// </code>
/// </summary>
public static class LanguageModelMetrics
{
    /// <summary>exp(ℓ): the effective number of equally likely next tokens.</summary>
    public static double Perplexity(double meanLoss) => Math.Exp(meanLoss);

    /// <summary>ℓ / ln 2.</summary>
    public static double BitsPerToken(double meanLoss) => meanLoss / Math.Log(2);

    /// <summary>ℓ · tokens / (characters · ln 2): the total code length in bits divided by the characters of the text.</summary>
    public static double BitsPerCharacter(double meanLoss, long tokens, long characters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(characters);
        return meanLoss * tokens / (characters * Math.Log(2));
    }
}
