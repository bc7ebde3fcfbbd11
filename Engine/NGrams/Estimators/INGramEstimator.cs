namespace SeqLearn.NGrams;

/// <summary>Turns n-gram counts into a back-off model. Each implementation documents its equation (docs/ngram.md).</summary>
public interface INGramEstimator
{
    /// <summary>Short name used by the CLI and in tables (mle, addk, wb, abs, kn, mkn, stupid).</summary>
    string Name { get; }

    /// <summary>True when the result is a probability distribution (sums to 1 over the vocabulary after every context).</summary>
    bool IsNormalized { get; }

    /// <summary>Estimates the model from <paramref name="counts"/>.</summary>
    BackoffModel Estimate(NGramCounts counts);
}

/// <summary>An estimator cannot be applied to these counts (e.g. a Kneser-Ney discount is undefined on tiny data).</summary>
public sealed class NGramEstimationException(string message) : Exception(message);
