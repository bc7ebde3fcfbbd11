namespace SeqLearn.Translation;

/// <summary>
/// Greedy decoding of every row at once: y_t = argmax_v log p(v | y_{&lt;t}, x) (lowest id on ties) after the minimum-length
/// and no-repeat rules, until ⟨eos⟩ or the maximum length M = ⌊a·n + b⌋ (<see cref="DecodingOptions"/>).
/// </summary>
public static class GreedyDecoder
{
    /// <summary>Decodes the <see cref="ITranslationStepper.Rows"/> rows, row r for a source of <paramref name="sourceLengths"/>[r] tokens.</summary>
    public static Hypothesis[] Decode(ITranslationStepper stepper, int[] sourceLengths, SpecialTokens specials, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(stepper);
        ArgumentNullException.ThrowIfNull(sourceLengths);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int rows = stepper.Rows, v = stepper.Vocabulary, s = stepper.SourceSteps;
        if (sourceLengths.Length != rows)
            throw new ArgumentException($"GreedyDecoder: {sourceLengths.Length} source lengths for {rows} rows.");
        var logProbs = new double[rows * v];
        var attention = new double[rows * s];
        var previous = Enumerable.Repeat(specials.Bos, rows).ToArray();
        var traces = new DecodingTrace?[rows];
        var scores = new double[rows];
        var result = new Hypothesis?[rows];
        int maxSteps = sourceLengths.Max(options.MaxLength);
        for (int t = 1; t <= maxSteps && result.Any(h => h is null); t++)
        {
            stepper.Step(previous, logProbs, attention);
            for (int r = 0; r < rows; r++)
            {
                if (result[r] is not null) { previous[r] = specials.Eos; continue; }
                var lp = logProbs.AsSpan(r * v, v);
                DecodingRules.Apply(lp, traces[r], specials.Eos, options);
                int y = DecodingRules.ArgMax(lp, v);
                var a = attention.AsSpan(r * s, sourceLengths[r]);
                traces[r] = new DecodingTrace(y, DecodingRules.ArgMax(a, a.Length), options.KeepAttention ? a.ToArray() : null, traces[r]);
                scores[r] += lp[y];
                previous[r] = y;
                bool ended = y == specials.Eos;
                if (ended || t == options.MaxLength(sourceLengths[r]))
                    result[r] = DecodingTrace.ToHypothesis(traces[r]!, scores[r], scores[r] / options.LengthPenalty(t), ended);
            }
        }
        return result.Select(h => h!).ToArray();
    }
}
