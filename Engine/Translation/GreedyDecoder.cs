namespace SeqLearn.Translation;

/// <summary>
/// Greedy decoding of every row at once: y_t = argmax_v log p(v | y_{&lt;t}, x) (lowest id on ties) after the minimum-length
/// and no-repeat rules, until ⟨eos⟩ or the maximum length M = ⌊a·n + b⌋ (<see cref="DecodingOptions"/>). A row that has
/// finished is dropped from the stepper (<see cref="ITranslationStepper.Reorder"/>), so later steps compute only live rows.
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
            throw new ArgumentException($"GreedyDecoder: {sourceLengths.Length} source lengths for {rows} rows.", nameof(sourceLengths));
        DecodingBuffers.CheckLengths("GreedyDecoder", sourceLengths, s);
        var logProbs = new double[DecodingBuffers.Length("GreedyDecoder", rows, v, "vocabulary")];
        var attention = new double[DecodingBuffers.Length("GreedyDecoder", rows, s, "source steps")];
        var previous = Enumerable.Repeat(specials.Bos, rows).ToArray();   // per live row, in the stepper's order
        var rowOf = Enumerable.Range(0, rows).ToArray();                  // the stepper's row i decodes source row rowOf[i]
        var keep = new int[rows];
        var traces = new DecodingTrace?[rows];
        var scores = new double[rows];
        var result = new Hypothesis?[rows];
        int live = rows;
        for (int t = 1; live > 0; t++)
        {
            stepper.Step(previous.AsSpan(0, live), logProbs.AsSpan(0, live * v), attention.AsSpan(0, live * s));
            int kept = 0;
            for (int i = 0; i < live; i++)
            {
                int r = rowOf[i];
                var lp = logProbs.AsSpan(i * v, v);
                DecodingRules.Apply(lp, traces[r], specials, options);
                int y = DecodingRules.ArgMax(lp, v);
                if (double.IsNegativeInfinity(lp[y]))
                {
                    result[r] = DecodingTrace.Stuck(traces[r], scores[r], options);   // the rules forbid every token: the row ends as it is
                    continue;
                }
                var a = attention.AsSpan(i * s, sourceLengths[r]);
                traces[r] = new DecodingTrace(y, DecodingRules.ArgMax(a, a.Length), options.KeepAttention ? a.ToArray() : null, traces[r]);
                scores[r] += lp[y];
                previous[i] = y;
                bool ended = y == specials.Eos;
                if (ended || t == options.MaxLength(sourceLengths[r]))
                    result[r] = DecodingTrace.ToHypothesis(traces[r]!, scores[r], scores[r] / options.LengthPenalty(t), ended);
                else
                    keep[kept++] = i;
            }
            if (kept == live) continue;
            for (int j = 0; j < kept; j++) (previous[j], rowOf[j]) = (previous[keep[j]], rowOf[keep[j]]);   // keep[j] ≥ j
            if (kept > 0) stepper.Reorder(keep.AsSpan(0, kept));              // finished rows are computed no more
            live = kept;
        }
        return result.Select(h => h!).ToArray();
    }
}
