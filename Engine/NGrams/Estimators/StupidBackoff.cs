namespace SeqLearn.NGrams;

/// <summary>
/// Stupid backoff (Brants et al. 2007). Produces SCORES, not probabilities: they do not sum to 1.
/// <code>
/// S(w | h) = c(h w) / Σ_v c(h v)   if c(h w) &gt; 0
///          = λ · S(w | h')          otherwise,        S(w) = c(w) / N,   λ = 0.4
/// </code>
/// Stored in back-off form with log10 bo = log10 λ on every n-gram that can be a context. One difference from
/// the paper: a context that was never seen at all is skipped at no cost (ARPA back-off semantics).
/// Perplexities computed from these scores are not comparable with those of true distributions.
/// </summary>
public sealed class StupidBackoff(double lambda = 0.4) : INGramEstimator
{
    /// <summary>The back-off factor λ.</summary>
    public double Lambda { get; } = lambda is > 0 and <= 1 ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in (0, 1].");

    /// <inheritdoc/>
    public string Name => "stupid";

    /// <inheritdoc/>
    public bool IsNormalized => false;

    /// <inheritdoc/>
    public BackoffModel Estimate(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.Order;
        var score = new double[n][];
        var backoff = new double[n - 1][];
        for (int k = 1; k <= n; k++)
        {
            ReadOnlySpan<int> c = counts.Counts(k), ctx = counts.ContextOf(k);
            double[] total = CountStatistics.ContextTotals(counts, k, c);
            score[k - 1] = new double[c.Length];
            for (int e = 0; e < c.Length; e++) score[k - 1][e] = c[e] / total[ctx[e]];
            if (k < n) backoff[k - 1] = Enumerable.Repeat(Lambda, c.Length).ToArray();
        }
        return Interpolation.Build(counts, score, backoff);
    }
}
