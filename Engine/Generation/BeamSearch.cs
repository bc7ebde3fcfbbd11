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
    /// <summary>
    /// The final score of a hypothesis with log-probability <paramref name="logProbability"/> and <paramref name="length"/>
    /// tokens (at least 1). Throws on an undefined <see cref="Normalization"/> and, for GNMT, a non-finite <see cref="Alpha"/>.
    /// </summary>
    public double Score(double logProbability, int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"BeamSearchOptions.Score: a hypothesis has at least 1 token, got length {length}.");
        return Normalization switch
        {
            LengthNormalization.None => logProbability,
            LengthNormalization.Average => logProbability / length,
            LengthNormalization.Gnmt when double.IsFinite(Alpha) => logProbability / Math.Pow((5.0 + length) / 6.0, Alpha),
            LengthNormalization.Gnmt => throw new ArgumentOutOfRangeException(nameof(Alpha), $"BeamSearchOptions.Score: the GNMT α must be finite, got {Alpha}."),
            _ => throw new ArgumentOutOfRangeException(nameof(Normalization), $"BeamSearchOptions.Score: unknown length normalisation {Normalization}."),
        };
    }
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
    /// <summary>Runs beam search after feeding <paramref name="prompt"/>; returns up to W hypotheses, best first.</summary>
    /// <remarks>
    /// The live hypotheses sit in two sets of W slots (tokens, log P, state, next-token log-probabilities), read from one
    /// and written to the other at each length, and the candidates in one buffer kept across lengths; so a length step
    /// allocates only what the model's <see cref="ITokenModel{TState}.Step"/> returns, and a result's tokens when it
    /// finishes (docs/generation.md#beam-search).
    /// </remarks>
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
        if (prompt.Count == 0) throw new ArgumentException("BeamSearch: the prompt is empty; the model needs a previous token (give at least a start token).", nameof(prompt));
        for (int i = 0; i < prompt.Count; i++) Generator.CheckToken(prompt[i], v, $"prompt[{i}]");

        var logits = new float[v];
        for (int i = 0; i < prompt.Count; i++) state = model.Step(prompt[i], state, logits);
        int width = options.Width;
        var alive = new Beams<TState>(width, v);
        var next = new Beams<TState>(width, v);
        alive.Start(state, logits);
        var results = new List<BeamHypothesis>();
        var best = new double[Math.Min(width, Beams<TState>.InitialSlots)];   // the W best result scores, descending; grown up to W
        var candidates = new Candidate[(int)Math.Min(v, 2L * width)];

        for (int length = 1; length <= options.MaxLength && alive.Count > 0; length++)
        {
            // All extensions, best first (ties: earlier beam, then lower token id: deterministic).
            int count = 0;
            if (candidates.Length < alive.Count * v) candidates = new Candidate[Math.Max(alive.Count * v, (int)Math.Min(2L * candidates.Length, (long)width * v))];
            for (int b = 0; b < alive.Count; b++)
            {
                var nextLogP = alive.NextLogProbabilities(b);
                for (int t = 0; t < v; t++)
                    if (!double.IsNegativeInfinity(nextLogP[t]))
                        candidates[count++] = new Candidate(alive.LogProbability[b] + nextLogP[t], b, t);
            }
            candidates.AsSpan(0, count).Sort(static (x, y) => y.LogP != x.LogP ? y.LogP.CompareTo(x.LogP) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));

            next.Count = 0;
            int kept = 0;   // non-EOS candidates taken this step (alive, or cut at the maximum length)
            for (int c = 0; c < count && c < 2L * width && kept < width; c++)
            {
                var (logP, b, token) = candidates[c];
                if (token == options.EosId)
                {
                    AddResult(results, ref best, width, new BeamHypothesis([.. alive.Tokens(b), token], logP, options.Score(logP, length), Finished: true));
                    continue;
                }
                kept++;
                if (length == options.MaxLength)
                {
                    AddResult(results, ref best, width, new BeamHypothesis([.. alive.Tokens(b), token], logP, options.Score(logP, length), Finished: false));
                    continue;
                }
                var s = model.Step(token, alive.State[b], logits);
                next.Set(next.Count, alive.Tokens(b), token, logP, s, logits);
            }
            (alive, next) = (next, alive);

            // Without length normalisation scores only fall as hypotheses grow: stop once no live beam can
            // beat the W-th best result.
            if (options.Normalization == LengthNormalization.None && results.Count >= width && alive.Count > 0)
            {
                double bestAlive = double.NegativeInfinity;
                for (int b = 0; b < alive.Count; b++) bestAlive = Math.Max(bestAlive, alive.LogProbability[b]);
                if (bestAlive <= best[width - 1]) break;
            }
        }
        return results
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Tokens, TokenOrder.Instance)
            .Take(width)
            .ToArray();
    }

    private readonly record struct Candidate(double LogP, int Beam, int Token);

    /// <summary>Adds <paramref name="result"/>, keeping <paramref name="best"/> the <paramref name="width"/> highest scores so far in descending order.</summary>
    private static void AddResult(List<BeamHypothesis> results, ref double[] best, int width, BeamHypothesis result)
    {
        if (results.Count == best.Length && best.Length < width) Array.Resize(ref best, (int)Math.Min(width, 2L * best.Length));
        TopScores.Insert(best, results.Count, result.Score);
        results.Add(result);
    }

    /// <summary>
    /// Up to W live hypotheses of one length: slot b's tokens, log P, model state and next-token log-probabilities. The
    /// slots' buffers are made on first use and reused; a token buffer starts at 64 tokens and doubles when a hypothesis
    /// outgrows it, and the slot arrays start at 16 slots and double up to W as hypotheses fill them (a wide beam over few
    /// continuations holds only the hypotheses there are).
    /// </summary>
    private sealed class Beams<TState>(int width, int vocabulary)
    {
        public const int InitialSlots = 16;
        private int[][] _tokens = new int[Math.Min(width, InitialSlots)][];
        private double[][] _nextLogProbabilities = new double[Math.Min(width, InitialSlots)][];
        private int _length;   // tokens in every slot
        private const int InitialTokens = 64;   // a token buffer's first size

        public double[] LogProbability = new double[Math.Min(width, InitialSlots)];
        public TState[] State = new TState[Math.Min(width, InitialSlots)];
        public int Count;

        public ReadOnlySpan<int> Tokens(int slot) => _tokens[slot].AsSpan(0, _length);

        public ReadOnlySpan<double> NextLogProbabilities(int slot) => _nextLogProbabilities[slot];

        /// <summary>Slot <paramref name="slot"/> (at most <see cref="Count"/>, which it extends) holds <paramref name="prefix"/> + <paramref name="token"/>.</summary>
        public void Set(int slot, ReadOnlySpan<int> prefix, int token, double logProbability, TState state, ReadOnlySpan<float> logits)
        {
            if (slot == _tokens.Length)
            {
                int grown = (int)Math.Min(width, 2L * _tokens.Length);
                Array.Resize(ref _tokens, grown);
                Array.Resize(ref _nextLogProbabilities, grown);
                Array.Resize(ref LogProbability, grown);
                Array.Resize(ref State, grown);
            }
            _length = prefix.Length + 1;
            ref var tokens = ref _tokens[slot];
            if (tokens is null || tokens.Length < _length) tokens = new int[Math.Max(2 * _length, InitialTokens)];
            prefix.CopyTo(tokens);
            tokens[prefix.Length] = token;
            LogSoftmax(logits, _nextLogProbabilities[slot] ??= new double[vocabulary]);
            (LogProbability[slot], State[slot]) = (logProbability, state);
            Count = Math.Max(Count, slot + 1);
        }

        /// <summary>One hypothesis, the empty one after the prompt (log P = 0, the prompt's state and logits).</summary>
        public void Start(TState state, ReadOnlySpan<float> logits)
        {
            _length = 0;
            _tokens[0] ??= new int[InitialTokens];
            LogSoftmax(logits, _nextLogProbabilities[0] ??= new double[vocabulary]);
            (LogProbability[0], State[0], Count) = (0, state, 1);
        }
    }

    /// <summary>log softmax(l) in double: l_i − max l − log Σ_j exp(l_j − max l).</summary>
    public static double[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        var result = new double[logits.Length];
        LogSoftmax(logits, result);
        return result;
    }

    /// <summary><see cref="LogSoftmax(ReadOnlySpan{float})"/> written into <paramref name="result"/> (the length of the logits).</summary>
    private static void LogSoftmax(ReadOnlySpan<float> logits, Span<double> result)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits)
        {
            if (float.IsNaN(l) || float.IsPositiveInfinity(l)) throw new ArgumentException($"BeamSearch: the model returned a {l} logit; logits must be finite (−∞ masks a token).", nameof(logits));
            max = Math.Max(max, l);
        }
        if (double.IsNegativeInfinity(max)) throw new ArgumentException("BeamSearch: every logit is −∞.", nameof(logits));
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        double logZ = max + Math.Log(sum);
        for (int i = 0; i < logits.Length; i++) result[i] = logits[i] - logZ;
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
