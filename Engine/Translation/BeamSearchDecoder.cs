namespace SeqLearn.Translation;

/// <summary>
/// Batched beam search of width K (docs/seq2seq-model.md#3-decoding). Source b owns consecutive rows, one per live
/// hypothesis (at most K). At step t every live hypothesis h (raw score s_h = Σ log p, all ≤ 0) is extended by every
/// token v, after the minimum-length and no-repeat rules; the best 2K candidates s_h + log p(v) (ties: lower row, then
/// lower id) are walked in order: a candidate ending in ⟨eos⟩ joins the finished list, any other becomes a live
/// hypothesis until K are live. At the maximum length M the best K candidates all finish (without ⟨eos⟩ when they did
/// not choose it).
/// <para>
/// Finished hypotheses are ranked by s / lp(l) (<see cref="DecodingOptions.LengthPenalty"/>, l = tokens produced). A
/// source stops when it has K finished hypotheses and no live one can beat the K-th: a live hypothesis of raw score
/// s ≤ 0 can only end with a raw score s' ≤ s (log-probabilities are ≤ 0) at a length l' ≤ M, and lp is non-decreasing,
/// so its best possible normalised score is s' / lp(l') ≤ s / lp(l') ≤ s / lp(M). The source stops when
/// max_live s / lp(M) ≤ the K-th best finished score (with no normalisation, lp ≡ 1 and the bound is s itself).
/// Step 1 runs one row per source (its K hypotheses all start from ⟨bos⟩), later steps one row per live hypothesis (at most
/// K per source). A source that stops is dropped from the stepper (<see cref="ITranslationStepper.Reorder"/>): later steps
/// compute the rows of the sources still searching only, moved together at the front.
/// </para>
/// </summary>
public static class BeamSearchDecoder
{
    /// <summary>
    /// Decodes the sources of a stepper built with K = <see cref="DecodingOptions.BeamWidth"/> copies of each source
    /// (rows = B·K); returns each source's finished hypotheses, best first (at most K).
    /// </summary>
    public static Hypothesis[][] Decode(ITranslationStepper stepper, int[] sourceLengths, SpecialTokens specials, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(stepper);
        ArgumentNullException.ThrowIfNull(sourceLengths);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int k = options.BeamWidth, batch = sourceLengths.Length, rows = DecodingBuffers.Rows("BeamSearchDecoder", batch, k), v = stepper.Vocabulary, s = stepper.SourceSteps;
        if (stepper.Rows != rows)
            throw new ArgumentException($"BeamSearchDecoder: the stepper has {stepper.Rows} rows, expected {batch} sources × beam {k} = {rows}.", nameof(stepper));
        DecodingBuffers.CheckLengths("BeamSearchDecoder", sourceLengths, s);
        var logProbs = new double[DecodingBuffers.Length("BeamSearchDecoder", rows, v, "vocabulary")];
        var attention = new double[DecodingBuffers.Length("BeamSearchDecoder", rows, s, "source steps")];
        var previous = Enumerable.Repeat(specials.Bos, rows).ToArray();
        var scores = new double[rows];
        var traces = new DecodingTrace?[rows];
        var nextPrevious = new int[rows];
        var nextScores = new double[rows];
        var nextTraces = new DecodingTrace?[rows];
        var parents = new int[rows];
        var finished = Enumerable.Range(0, batch).Select(_ => new List<Hypothesis>()).ToArray();
        var bestFinished = new double[batch * k];   // source b's K best finished normalised scores, descending, at [b·K, b·K + K)
        var candidates = new Candidate[2 * k];
        var sourceOf = Enumerable.Range(0, batch).ToArray();   // the stepper's block i decodes source sourceOf[i]
        var start = new int[batch + 1];                         // block i holds rows [start[i], start[i + 1]) of the stepper
        var nextStart = new int[batch + 1];

        // Step 1 expands one hypothesis per source: one row each (the first of its K copies). Afterwards a block holds one row
        // per live hypothesis of its source, at most K.
        for (int b = 0; b < batch; b++) (parents[b], start[b]) = (b * k, b);
        start[batch] = batch;
        stepper.Reorder(parents.AsSpan(0, batch));
        for (int blocks = batch, t = 1; blocks > 0; t++)
        {
            int rowCount = start[blocks];
            stepper.Step(previous.AsSpan(0, rowCount), logProbs.AsSpan(0, rowCount * v), attention.AsSpan(0, rowCount * s));
            int kept = 0, next = 0;                                                  // next: the first row of the next layout not yet given
            for (int i = 0; i < blocks; i++)
            {
                int b = sourceOf[i], maxLength = options.MaxLength(sourceLengths[b]);
                int count = TopCandidates(logProbs, scores, traces, start[i], start[i + 1] - start[i], v, specials, options, candidates);
                if (count == 0)
                {
                    // The rules forbid every extension of every live hypothesis (a minimum length with no-repeat n-grams over a
                    // tiny vocabulary): they end as they are, so every source keeps at least one hypothesis.
                    for (int row = start[i]; row < start[i + 1]; row++)
                        AddFinished(finished[b], bestFinished.AsSpan(b * k, k), DecodingTrace.Stuck(traces[row], scores[row], options));
                    continue;
                }
                bool last = t == maxLength;
                int extended = 0;
                for (int c = 0; c < count && extended < k; c++)
                {
                    var (score, row, token) = candidates[c];
                    var a = attention.AsSpan(row * s, sourceLengths[b]);
                    var trace = new DecodingTrace(token, DecodingRules.ArgMax(a, a.Length), options.KeepAttention ? a.ToArray() : null, traces[row]);
                    if (token == specials.Eos || last)
                    {
                        if (last && c >= k) break;                                   // at M only the best K finish
                        AddFinished(finished[b], bestFinished.AsSpan(b * k, k), DecodingTrace.ToHypothesis(trace, score, score / options.LengthPenalty(t), token == specials.Eos));
                        continue;
                    }
                    (parents[next + extended], nextPrevious[next + extended], nextScores[next + extended], nextTraces[next + extended]) = (row, token, score, trace);
                    extended++;
                }
                bool done = last || extended == 0 || CannotImprove(finished[b].Count, bestFinished.AsSpan(b * k, k), nextScores.AsSpan(next, extended), options.LengthPenalty(maxLength));
                if (done) continue;                                                  // the source's rows are dropped: the next block writes here
                (sourceOf[kept], nextStart[kept]) = (b, next);
                kept++;
                next += extended;
            }
            nextStart[kept] = next;
            if (kept > 0) stepper.Reorder(parents.AsSpan(0, next));                 // parents are rows of this step's layout
            blocks = kept;
            (start, nextStart) = (nextStart, start);
            (previous, nextPrevious) = (nextPrevious, previous);
            (scores, nextScores) = (nextScores, scores);
            (traces, nextTraces) = (nextTraces, traces);
        }
        return finished.Select(list => list.OrderByDescending(h => h.NormalizedScore).Take(k).ToArray()).ToArray();
    }

    /// <summary>
    /// True when K hypotheses are finished and max_live s / lp(M) ≤ the K-th best finished normalised score
    /// (<paramref name="bestFinished"/>[K − 1], kept by <see cref="AddFinished"/>).
    /// </summary>
    internal static bool CannotImprove(int finishedCount, ReadOnlySpan<double> bestFinished, ReadOnlySpan<double> liveScores, double maxLengthPenalty)
    {
        int k = bestFinished.Length;
        if (finishedCount < k) return false;
        double kth = bestFinished[k - 1];
        double best = double.NegativeInfinity;
        foreach (double score in liveScores) best = Math.Max(best, score / maxLengthPenalty);
        return best <= kth;
    }

    /// <summary>
    /// Adds <paramref name="hypothesis"/> to <paramref name="finished"/> and keeps <paramref name="best"/> (length K) the K
    /// highest normalised scores of the list in descending order (the first min(K, count) of them), so the stopping test
    /// reads the K-th best without sorting the list at every step.
    /// </summary>
    internal static void AddFinished(List<Hypothesis> finished, Span<double> best, Hypothesis hypothesis)
    {
        Generation.TopScores.Insert(best, finished.Count, hypothesis.NormalizedScore);
        finished.Add(hypothesis);
    }

    internal readonly record struct Candidate(double Score, int Row, int Token);

    /// <summary>
    /// The best min(<paramref name="top"/>.Length, available) extensions of the block's rows [first, first + width), sorted
    /// (ties: lower row, then lower id). Every row is a live hypothesis; an extension of score −∞ is never a candidate.
    /// </summary>
    internal static int TopCandidates(double[] logProbs, double[] scores, DecodingTrace?[] traces, int first, int width, int v, SpecialTokens specials,
        DecodingOptions options, Candidate[] top)
    {
        int count = 0;
        for (int row = first; row < first + width; row++)
        {
            var lp = logProbs.AsSpan(row * v, v);
            DecodingRules.Apply(lp, traces[row], specials, options);
            double s = scores[row];
            int w = Vector<double>.Count;
            for (int token = 0; token < v;)
            {
                int end = Math.Min(token + w, v);
                if (count == top.Length && end - token == w && CannotEnter(s, lp.Slice(token, w), top[count - 1].Score))
                {
                    token = end;                                                   // no score of these w tokens beats the last kept
                    continue;
                }
                for (; token < end; token++)
                {
                    double score = s + lp[token];
                    if (double.IsNegativeInfinity(score) || (count == top.Length && score <= top[count - 1].Score)) continue;
                    int at = count == top.Length ? count - 1 : count++;
                    while (at > 0 && top[at - 1].Score < score) { top[at] = top[at - 1]; at--; }   // strict: earlier candidates win ties
                    top[at] = new Candidate(score, row, token);
                }
            }
        }
        return count;
    }

    /// <summary>True when every s + lp[i] of one vector is ≤ <paramref name="last"/> (the same sums as the scalar test; NaN never skips).</summary>
    private static bool CannotEnter(double s, ReadOnlySpan<double> lp, double last)
    {
        var sums = new Vector<double>(s) + new Vector<double>(lp);
        return Vector.LessThanOrEqualAll(sums, new Vector<double>(last));
    }
}
