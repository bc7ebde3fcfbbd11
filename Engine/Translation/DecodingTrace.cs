namespace SeqLearn.Translation;

/// <summary>
/// One produced token of a hypothesis with a link to its prefix: beam rows share prefixes, so reordering a beam copies
/// references, never token arrays.
/// </summary>
internal sealed class DecodingTrace(int token, int source, double[]? weights, DecodingTrace? parent)
{
    public int Token { get; } = token;
    public int Source { get; } = source;
    public double[]? Weights { get; } = weights;
    public DecodingTrace? Parent { get; } = parent;
    public int Length { get; } = (parent?.Length ?? 0) + 1;

    /// <summary>The tokens from the first to this one.</summary>
    public static int[] Tokens(DecodingTrace? trace)
    {
        var tokens = new int[trace?.Length ?? 0];
        for (var t = trace; t is not null; t = t.Parent) tokens[t.Length - 1] = t.Token;
        return tokens;
    }

    /// <summary>The hypothesis ending at <paramref name="trace"/> (⟨eos⟩ dropped from the tokens when <paramref name="ended"/>).</summary>
    public static Hypothesis ToHypothesis(DecodingTrace trace, double score, double normalized, bool ended)
    {
        int n = trace.Length, kept = ended ? n - 1 : n;
        var tokens = new int[kept];
        var sources = new int[kept];
        var weights = trace.Weights is null ? null : new double[n][];
        for (var t = trace; t is not null; t = t.Parent)
        {
            int i = t.Length - 1;
            if (i < kept) (tokens[i], sources[i]) = (t.Token, t.Source);
            if (weights is not null) weights[i] = t.Weights!;
        }
        return new Hypothesis(tokens, sources, score, normalized, ended, weights);
    }

    /// <summary>
    /// The hypothesis of a row that the decoding rules leave no token to extend with (every log-probability −∞): it ends
    /// as it is, without ⟨eos⟩, scored as one of its length (at least 1 for the penalty); an empty one when no token was
    /// produced.
    /// </summary>
    public static Hypothesis Stuck(DecodingTrace? trace, double score, DecodingOptions options)
    {
        double normalized = score / options.LengthPenalty(Math.Max(1, trace?.Length ?? 0));
        return trace is null
            ? new Hypothesis([], [], score, normalized, false, options.KeepAttention ? [] : null)
            : ToHypothesis(trace, score, normalized, ended: false);
    }
}

/// <summary>The constraints both decoders apply to a row's log-probabilities before choosing.</summary>
internal static class DecodingRules
{
    /// <summary>
    /// Forbids (sets to −∞) ⟨pad⟩ and ⟨bos⟩ always (they are never output tokens: ⟨pad⟩ fills batches, ⟨bos⟩ starts the
    /// decoder, as fairseq never selects ⟨pad⟩), ⟨eos⟩ while fewer than <see cref="DecodingOptions.MinLength"/> tokens were
    /// produced, and every token that would complete an n-gram already in the hypothesis
    /// (n = <see cref="DecodingOptions.NoRepeatNGram"/>). ⟨unk⟩ stays a possible output. The prefix is only materialised
    /// when the n-gram rule is on.
    /// </summary>
    public static void Apply(Span<double> logProbs, DecodingTrace? trace, SpecialTokens specials, DecodingOptions options)
    {
        int length = trace?.Length ?? 0;
        if ((uint)specials.Pad < (uint)logProbs.Length) logProbs[specials.Pad] = double.NegativeInfinity;
        if ((uint)specials.Bos < (uint)logProbs.Length) logProbs[specials.Bos] = double.NegativeInfinity;
        if (length < options.MinLength) logProbs[specials.Eos] = double.NegativeInfinity;
        int n = options.NoRepeatNGram;
        if (n == 0 || length < n - 1) return;
        var history = DecodingTrace.Tokens(trace).AsSpan();
        var prefix = history[(history.Length - (n - 1))..];         // the last n − 1 tokens
        for (int i = 0; i + n - 1 < history.Length; i++)
            if (history.Slice(i, n - 1).SequenceEqual(prefix))
                logProbs[history[i + n - 1]] = double.NegativeInfinity;
    }

    /// <summary>The index of the largest value of the first <paramref name="length"/> entries (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values, int length)
    {
        int best = 0;
        for (int j = 1; j < length; j++) if (values[j] > values[best]) best = j;
        return best;
    }
}
