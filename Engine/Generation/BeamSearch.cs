namespace SeqLearn.Generation;

/// <summary>How beam search compares hypotheses of different lengths |Y| (generated tokens, EOS included).</summary>
public enum LengthNormalization
{
    /// <summary>score = log P(Y): favours short outputs.</summary>
    None,
    /// <summary>score = log P(Y) / |Y|: the mean log-probability per token.</summary>
    Average,
    /// <summary>score = log P(Y) / lp(Y), lp(Y) = ((5 + |Y|) / 6)^α (Wu et al. 2016, GNMT); α = 0 is None, α = 1 is close to Average.</summary>
    Gnmt,
}

/// <summary>Settings of <see cref="BeamSearch.Search"/>.</summary>
/// <param name="Width">W, the number of hypotheses kept per step and returned.</param>
/// <param name="MaxLength">The largest number of generated tokens (EOS included).</param>
/// <param name="EosId">The end-of-sequence token id, or null when every hypothesis runs to <paramref name="MaxLength"/>.</param>
/// <param name="Normalization">How final scores treat length.</param>
/// <param name="Alpha">α of <see cref="LengthNormalization.Gnmt"/>.</param>
public sealed record BeamSearchOptions(int Width, int MaxLength, int? EosId = null,
    LengthNormalization Normalization = LengthNormalization.None, double Alpha = 0.6)
{
    /// <summary>The final score of a hypothesis with log-probability <paramref name="logProbability"/> and <paramref name="length"/> tokens.</summary>
    public double Score(double logProbability, int length) => Normalization switch
    {
        LengthNormalization.None => logProbability,
        LengthNormalization.Average => logProbability / length,
        _ => logProbability / Math.Pow((5.0 + length) / 6.0, Alpha),
    };
}

/// <summary>One result of beam search: the generated tokens (prompt excluded, EOS included when reached).</summary>
/// <param name="Tokens">The continuation.</param>
/// <param name="LogProbability">log P(Tokens | prompt), the sum of the per-step log-softmax values.</param>
/// <param name="Score">The length-normalised score used for ranking.</param>
/// <param name="Finished">True when the continuation ends with EOS; false when it stopped at the maximum length.</param>
public sealed record BeamHypothesis(int[] Tokens, double LogProbability, double Score, bool Finished);

/// <summary>
/// Beam search over any <see cref="ITokenModel{TState}"/>. Each step extends every live hypothesis by every token,
/// ranks the W·V candidates by log-probability, moves candidates ending in EOS to the finished list, and keeps the
/// W best others alive. At the end, finished hypotheses and those cut at the maximum length are ranked by the
/// normalised score. With W at least the number of possible continuations nothing is pruned and the result is
/// the exact top W (the tests check this by brute force). See docs/generation.md#beam-search.
/// </summary>
public static class BeamSearch
{
    private sealed record Beam<TState>(int[] Tokens, double LogProbability, TState State, double[] NextLogProbabilities);

    /// <summary>Runs beam search after feeding <paramref name="prompt"/>; returns up to W hypotheses, best first.</summary>
    public static IReadOnlyList<BeamHypothesis> Search<TState>(ITokenModel<TState> model, TState state, IReadOnlyList<int> prompt, BeamSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        int v = model.VocabularySize;
        if (options.Width <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"BeamSearch: width must be positive, got {options.Width}.");
        if (options.MaxLength <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"BeamSearch: max length must be positive, got {options.MaxLength}.");
        if (!Enum.IsDefined(options.Normalization)) throw new ArgumentOutOfRangeException(nameof(options), $"BeamSearch: unknown length normalisation {options.Normalization}.");
        if (options.Normalization == LengthNormalization.Gnmt && !double.IsFinite(options.Alpha))
            throw new ArgumentOutOfRangeException(nameof(options), $"BeamSearch: the GNMT α must be finite, got {options.Alpha}.");
        if (options.EosId is int eos) Generator.CheckToken(eos, v, "EosId");
        if (prompt.Count == 0) throw new ArgumentException("BeamSearch: the prompt is empty; the model needs a previous token (give at least a start token).");
        for (int i = 0; i < prompt.Count; i++) Generator.CheckToken(prompt[i], v, $"prompt[{i}]");

        var logits = new float[v];
        for (int i = 0; i < prompt.Count; i++) state = model.Step(prompt[i], state, logits);
        var alive = new List<Beam<TState>> { new([], 0, state, LogSoftmax(logits)) };
        var results = new List<BeamHypothesis>();
        int width = options.Width;

        for (int length = 1; length <= options.MaxLength && alive.Count > 0; length++)
        {
            // All extensions, best first (ties: earlier beam, then lower token id: deterministic).
            var candidates = new List<(double LogP, int Beam, int Token)>(alive.Count * v);
            for (int b = 0; b < alive.Count; b++)
                for (int t = 0; t < v; t++)
                    if (!double.IsNegativeInfinity(alive[b].NextLogProbabilities[t]))
                        candidates.Add((alive[b].LogProbability + alive[b].NextLogProbabilities[t], b, t));
            candidates.Sort((x, y) => y.LogP != x.LogP ? y.LogP.CompareTo(x.LogP) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));

            var next = new List<Beam<TState>>(width);
            int kept = 0;   // non-EOS candidates taken this step (alive, or cut at the maximum length)
            for (int c = 0; c < candidates.Count && c < 2 * width && kept < width; c++)
            {
                var (logP, b, token) = candidates[c];
                int[] tokens = [.. alive[b].Tokens, token];
                if (token == options.EosId)
                {
                    results.Add(new BeamHypothesis(tokens, logP, options.Score(logP, length), Finished: true));
                    continue;
                }
                kept++;
                if (length == options.MaxLength)
                {
                    results.Add(new BeamHypothesis(tokens, logP, options.Score(logP, length), Finished: false));
                    continue;
                }
                var s = model.Step(token, alive[b].State, logits);
                next.Add(new Beam<TState>(tokens, logP, s, LogSoftmax(logits)));
            }
            alive = length == options.MaxLength ? [] : next;

            // Without length normalisation scores only fall as hypotheses grow: stop once no live beam can
            // beat the W-th best result.
            if (options.Normalization == LengthNormalization.None && results.Count >= width && alive.Count > 0)
            {
                double worstKept = results.Select(r => r.Score).OrderDescending().ElementAt(width - 1);
                if (alive.Max(a => a.LogProbability) <= worstKept) break;
            }
        }
        return results
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Tokens, TokenOrder.Instance)
            .Take(width)
            .ToArray();
    }

    /// <summary>log softmax(l) in double: l_i − max l − log Σ_j exp(l_j − max l).</summary>
    public static double[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits)
        {
            if (float.IsNaN(l) || float.IsPositiveInfinity(l)) throw new ArgumentException($"BeamSearch: the model returned a {l} logit; logits must be finite (−∞ masks a token).");
            max = Math.Max(max, l);
        }
        if (double.IsNegativeInfinity(max)) throw new ArgumentException("BeamSearch: every logit is −∞.");
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        double logZ = max + Math.Log(sum);
        var result = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) result[i] = logits[i] - logZ;
        return result;
    }

    private sealed class TokenOrder : IComparer<int[]>
    {
        public static readonly TokenOrder Instance = new();

        public int Compare(int[]? x, int[]? y)
        {
            for (int i = 0; i < Math.Min(x!.Length, y!.Length); i++)
                if (x[i] != y[i]) return x[i].CompareTo(y[i]);
            return x.Length.CompareTo(y.Length);
        }
    }
}
