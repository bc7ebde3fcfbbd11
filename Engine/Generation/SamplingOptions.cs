namespace SeqLearn.Generation;

/// <summary>
/// How the next token is drawn from the logits, applied in this order: temperature τ, then top-k, then top-p.
/// The defaults (τ 1, k 0, p 1) sample from the model's softmax unchanged.
/// </summary>
/// <param name="Temperature">τ ≥ 0: logits are divided by τ before the softmax. τ = 0 means greedy (argmax).</param>
/// <param name="TopK">Keep only tokens whose logit is at least the k-th largest (0 = no limit). Ties with the
/// k-th logit are all kept, so more than k tokens survive only when logits tie exactly.</param>
/// <param name="TopP">Nucleus sampling: keep the smallest set of most probable tokens whose probability sums to at
/// least p (1 = no limit).</param>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 0, double TopP = 1.0)
{
    /// <summary>Argmax decoding.</summary>
    public static SamplingOptions Greedy => new(Temperature: 0);

    /// <summary>Throws on out-of-range values.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsPositiveInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"SamplingOptions: temperature must be finite and ≥ 0, got {Temperature}.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), $"SamplingOptions: top-k must be ≥ 0 (0 disables it), got {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), $"SamplingOptions: top-p must be in (0, 1], got {TopP}.");
    }
}
