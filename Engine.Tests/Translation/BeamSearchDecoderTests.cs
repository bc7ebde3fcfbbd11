using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Beam search and greedy decoding on a hand-made model whose next-token probabilities depend on the prefix only
/// (ids: 0 pad, 1 bos, 2 eos, 3 "a"). Root: p(a) = 0.6, p(eos) = 0.4; after "a": p(a) = p(eos) = 0.5; after "a a": p(eos) = 1.
/// The three complete hypotheses, by hand (natural logs):
/// <code>
/// eos        s = ln 0.4                = −0.9163   l = 1
/// a eos      s = ln 0.6 + ln 0.5       = −1.2040   l = 2
/// a a eos    s = ln 0.6 + ln 0.5 + 0   = −1.2040   l = 3
/// </code>
/// </summary>
public sealed class BeamSearchDecoderTests
{
    private static readonly SpecialTokens Specials = new(Pad: 0, Bos: 1, Eos: 2, Unk: 0);
    private static readonly double Eos = Math.Log(0.4), AEos = Math.Log(0.6) + Math.Log(0.5);

    /// <summary>
    /// A stepper over a prefix → probabilities table (default: ⟨eos⟩ with probability 1); counts its steps and the rows
    /// it computed, and drops or copies rows as <see cref="ITranslationStepper.Reorder"/> says (up to the rows it was built with).
    /// </summary>
    private sealed class TableStepper(int rows, Func<string, double[]> probabilities) : ITranslationStepper
    {
        private List<int>[] _prefixes = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();

        public int Rows => _prefixes.Length;
        public int Vocabulary => 4;
        public int SourceSteps => 8;                                     // ≥ every source length the tests give
        public int Steps { get; private set; }
        public int RowSteps { get; private set; }

        public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention)
        {
            Assert.Equal(Rows, previous.Length);
            Assert.Equal(Rows * Vocabulary, logProbs.Length);
            Assert.Equal(Rows * SourceSteps, attention.Length);
            Steps++;
            RowSteps += Rows;
            for (int r = 0; r < Rows; r++)
            {
                if (previous[r] != 1) _prefixes[r].Add(previous[r]);
                var p = probabilities(string.Join(" ", _prefixes[r].Select(t => t == 3 ? "a" : t.ToString())));
                for (int v = 0; v < 4; v++) logProbs[r * 4 + v] = Math.Log(p[v]);
                attention.Slice(r * SourceSteps, SourceSteps).Clear();
                attention[r * SourceSteps] = 0.25;                       // the argmax is source position 1 at every step
                attention[r * SourceSteps + 1] = 0.75;
            }
        }

        public void Reorder(ReadOnlySpan<int> parents)
        {
            Assert.True(parents.Length <= rows);
            foreach (int p in parents) Assert.InRange(p, 0, Rows - 1);
            var old = _prefixes;
            _prefixes = new List<int>[parents.Length];
            for (int r = 0; r < parents.Length; r++) _prefixes[r] = [.. old[parents[r]]];
        }
    }

    private static double[] Table(string prefix) => prefix switch
    {
        "" => [0, 0, 0.4, 0.6],
        "a" => [0, 0, 0.5, 0.5],
        _ => [0, 0, 1, 0],
    };

    private static DecodingOptions Options(LengthNormalization norm) =>
        new(BeamWidth: 2, Normalization: norm, MaxLengthA: 0, MaxLengthB: 10);

    [Fact]
    public void Beam_PowerNormalisation_FindsTheLongHypothesisANaiveStopWouldMiss()
    {
        // After step 2 the finished list is {eos −0.916, a eos −0.602}; the live "a a" has raw −1.204, below both, so a rule
        // comparing raw live scores would stop. Its bound −1.204 / lp(M = 10) = −0.120 beats the 2nd finished: continue.
        var stepper = new TableStepper(2, Table);
        var result = BeamSearchDecoder.Decode(stepper, [4], Specials, Options(LengthNormalization.Power))[0];
        Assert.Equal([3, 3], result[0].Tokens);
        Assert.Equal(AEos / 3, result[0].NormalizedScore, 12);
        Assert.Equal([3], result[1].Tokens);
        Assert.Equal(AEos / 2, result[1].NormalizedScore, 12);
        Assert.Equal(3, stepper.Steps);
        Assert.True(result[0].Ended);
        Assert.Equal([1, 1], result[0].AttentionSource);
    }

    [Fact]
    public void Beam_NoNormalisation_StopsAsSoonAsNoLiveHypothesisCanBeatTheKth()
    {
        // Raw scores: finished {eos −0.916, a eos −1.204} after step 2; live "a a" −1.204 cannot exceed −1.204: stop.
        var stepper = new TableStepper(2, Table);
        var result = BeamSearchDecoder.Decode(stepper, [4], Specials, Options(LengthNormalization.None))[0];
        Assert.Equal(2, stepper.Steps);
        Assert.Empty(result[0].Tokens);
        Assert.Equal(Eos, result[0].Score, 12);
        Assert.Equal([3], result[1].Tokens);
    }

    [Fact]
    public void Beam_GnmtPenalty_RanksByHandComputedScores()
    {
        // lp(1) = 1, lp(2) = 7/6, lp(3) = 8/6: eos −0.9163, a eos −1.0320, a a eos −0.9030.
        var result = BeamSearchDecoder.Decode(new TableStepper(2, Table), [4], Specials, Options(LengthNormalization.Gnmt))[0];
        Assert.Equal([3, 3], result[0].Tokens);
        Assert.Equal(AEos / (8.0 / 6.0), result[0].NormalizedScore, 12);
        Assert.Empty(result[1].Tokens);
        Assert.Equal(Eos, result[1].NormalizedScore, 12);
    }

    [Fact]
    public void Beam_MinimumLength_ForbidsEarlyEos()
    {
        var result = BeamSearchDecoder.Decode(new TableStepper(2, Table), [4], Specials, Options(LengthNormalization.Power) with { MinLength = 2 })[0];
        Assert.Single(result);
        Assert.Equal([3, 3], result[0].Tokens);
    }

    [Fact]
    public void Beam_TwoSourcesInOneBatch_EachAsAlone()
    {
        var alone = BeamSearchDecoder.Decode(new TableStepper(2, Table), [4], Specials, Options(LengthNormalization.Power))[0];
        var both = BeamSearchDecoder.Decode(new TableStepper(4, Table), [4, 4], Specials, Options(LengthNormalization.Power));
        foreach (var r in both)
            Assert.Equal(alone.Select(h => (string.Join(",", h.Tokens), h.Score)), r.Select(h => (string.Join(",", h.Tokens), h.Score)));
    }

    private static double[] Loop(string prefix) => [0, 0, 0.1, 0.9];

    [Fact]
    public void Greedy_NoRepeatBigram_BlocksTheSecondAA()
    {
        var options = new DecodingOptions(MaxLengthA: 0, MaxLengthB: 10, NoRepeatNGram: 2);
        var h = GreedyDecoder.Decode(new TableStepper(1, Loop), [2], Specials, options)[0];
        Assert.Equal([3, 3], h.Tokens);                                    // "a a" then "a" would repeat the bigram "a a"
        Assert.True(h.Ended);
        Assert.Equal(2 * Math.Log(0.9) + Math.Log(0.1), h.Score, 12);
    }

    [Fact]
    public void MaxLength_IsAtLeastOne_AndCappedAtIntMaxValue()
    {
        Assert.Equal(16, new DecodingOptions().MaxLength(3));                                     // ⌊2·3 + 10⌋
        Assert.Equal(4, new DecodingOptions(MaxLengthA: 1.5, MaxLengthB: 0).MaxLength(3));        // ⌊4.5⌋
        Assert.Equal(1, new DecodingOptions(MaxLengthA: 0, MaxLengthB: -5).MaxLength(3));
        Assert.Equal(int.MaxValue, new DecodingOptions(MaxLengthA: 1e300).MaxLength(5));          // saturates, not wraps
        Assert.Equal(int.MaxValue, new DecodingOptions(MaxLengthA: 2, MaxLengthB: int.MaxValue).MaxLength(int.MaxValue));
        Assert.Equal(1, new DecodingOptions(MaxLengthA: double.PositiveInfinity).MaxLength(0));   // ∞·0 = NaN: still at least 1
    }

    [Fact]
    public void Greedy_MaximumLength_EndsWithoutEos()
    {
        var h = GreedyDecoder.Decode(new TableStepper(1, Loop), [2], Specials, new DecodingOptions(MaxLengthA: 1, MaxLengthB: 1))[0];
        Assert.Equal([3, 3, 3], h.Tokens);                                 // M = ⌊1·2 + 1⌋ = 3
        Assert.False(h.Ended);
    }

    [Fact]
    public void TopCandidates_EqualTheBest2KOfAStableSort()
    {
        // The vector pre-test skips blocks of tokens that cannot enter; the result must be the stable sort's first 2K
        // (score descending, then row, then token) for any V, including ties, −∞ log-probabilities and rows scored −∞
        // (every extension of such a row scores −∞, so none of them is a candidate), and never ⟨pad⟩ or ⟨bos⟩.
        var rng = new SeededRng(12);
        for (int trial = 0; trial < 400; trial++)
        {
            int k = rng.Next(1, 6), v = rng.Next(1, 60);
            var logProbs = Enumerable.Range(0, k * v).Select(_ => rng.Next(10) == 0 ? double.NegativeInfinity : -rng.Next(0, 40) / 8.0).ToArray();
            var scores = Enumerable.Range(0, k).Select(_ => rng.Next(4) == 0 ? double.NegativeInfinity : -rng.Next(0, 20) / 4.0).ToArray();
            var top = new BeamSearchDecoder.Candidate[2 * k];
            int count = BeamSearchDecoder.TopCandidates(logProbs, scores, new DecodingTrace?[k], 0, k, v, new SpecialTokens(Pad: 0, Bos: 1, Eos: 2, Unk: 3), new DecodingOptions(), top);
            var expected = (from row in Enumerable.Range(0, k)
                            from token in Enumerable.Range(2, Math.Max(0, v - 2))   // ⟨pad⟩ = 0 and ⟨bos⟩ = 1 are never candidates
                            let score = scores[row] + logProbs[row * v + token]
                            where !double.IsNegativeInfinity(score)
                            select new BeamSearchDecoder.Candidate(score, row, token))
                .OrderByDescending(c => c.Score).ThenBy(c => c.Row).ThenBy(c => c.Token).Take(2 * k).ToArray();
            Assert.Equal(expected, top.Take(count).ToArray());
        }
    }

    [Fact]
    public void Greedy_FinishedRows_AreNotComputedAgain()
    {
        // M = ⌊2·n⌋: 2 for the 1-token source, 4 for the 2-token one. Steps 1–2 compute both rows, steps 3–4 one.
        var stepper = new TableStepper(2, Loop);
        var result = GreedyDecoder.Decode(stepper, [1, 2], Specials, new DecodingOptions(MaxLengthA: 2, MaxLengthB: 0));
        Assert.Equal([3, 3], result[0].Tokens);
        Assert.Equal([3, 3, 3, 3], result[1].Tokens);
        Assert.Equal(4, stepper.Steps);
        Assert.Equal(2 * 2 + 2 * 1, stepper.RowSteps);
    }

    [Fact]
    public void Beam_FinishedSourcesAndMissingHypotheses_AreNotComputed()
    {
        // K = 2, M = 2 and 4: step 1 runs one row per source; each step after it runs one row per live hypothesis, and with
        // only "a" and ⟨eos⟩ possible a source has one ("a…a" live, "a…a eos" finished), so one row, not K. The first
        // source stops at step 2, the second at step 4, its output equal to its output alone.
        var options = new DecodingOptions(BeamWidth: 2, Normalization: LengthNormalization.None, MaxLengthA: 2, MaxLengthB: 0);
        var stepper = new TableStepper(4, Loop);
        var both = BeamSearchDecoder.Decode(stepper, [1, 2], Specials, options);
        Assert.Equal(4, stepper.Steps);
        Assert.Equal(2 + 2 + 1 + 1, stepper.RowSteps);
        var alone = BeamSearchDecoder.Decode(new TableStepper(2, Loop), [2], Specials, options)[0];
        Assert.Equal(alone.Select(h => (string.Join(",", h.Tokens), h.Score)), both[1].Select(h => (string.Join(",", h.Tokens), h.Score)));
        Assert.Equal([3, 3, 3, 3], both[1][0].Tokens);
        Assert.All(both[0], h => Assert.True(h.Tokens.Length <= 2));
    }

    [Fact]
    public void Beam_MaximumLength_FinishesTheBestKWithoutEos()
    {
        // p(a) = 0.9, p(eos) = 0.1 everywhere, K = 2, M = 2, raw scores. Step 1: "a" live, "eos" finished (ln 0.1).
        // Step 2 = M: the best two extensions of "a" finish: "a a" (2 ln 0.9, no eos) and "a eos" (ln 0.9 + ln 0.1).
        var options = new DecodingOptions(BeamWidth: 2, Normalization: LengthNormalization.None, MaxLengthA: 0, MaxLengthB: 2);
        var stepper = new TableStepper(2, Loop);
        var result = BeamSearchDecoder.Decode(stepper, [3], Specials, options)[0];
        Assert.Equal(2, stepper.Steps);
        Assert.Equal([3, 3], result[0].Tokens);
        Assert.False(result[0].Ended);
        Assert.Equal(2 * Math.Log(0.9), result[0].Score, 12);
        Assert.Empty(result[1].Tokens);
        Assert.Equal(Math.Log(0.1), result[1].Score, 12);
    }

    [Fact]
    public void Beam_NoRepeatBigram_AppliesToEveryHypothesis()
    {
        var options = new DecodingOptions(BeamWidth: 2, MaxLengthA: 0, MaxLengthB: 10, NoRepeatNGram: 2);
        var result = BeamSearchDecoder.Decode(new TableStepper(2, Loop), [3], Specials, options)[0];
        Assert.All(result, h => Assert.True(h.Tokens.Length <= 2, $"[{string.Join(",", h.Tokens)}] repeats the bigram a a"));
        Assert.Equal([3, 3], result[0].Tokens);                            // (2 ln 0.9 + ln 0.1) / 3 beats (ln 0.9 + ln 0.1) / 2
    }

    [Fact]
    public void Decoders_EveryTokenForbidden_EndTheHypothesisAsItIs()
    {
        // With a minimum length of 10 ⟨eos⟩ is forbidden, and after "a" no-repeat unigrams forbid "a": the only token left.
        // Both decoders return "a" as it is there: one hypothesis, not ended, score ln 0.9, with no token of score −∞ appended.
        var options = new DecodingOptions(BeamWidth: 2, MaxLengthA: 0, MaxLengthB: 20, MinLength: 10, NoRepeatNGram: 1);
        var greedy = GreedyDecoder.Decode(new TableStepper(1, Loop), [2], Specials, options with { BeamWidth = 1 })[0];
        var beam = BeamSearchDecoder.Decode(new TableStepper(2, Loop), [2], Specials, options)[0];
        foreach (var h in new[] { greedy, beam[0] })
        {
            Assert.Equal([3], h.Tokens);
            Assert.False(h.Ended);
            Assert.Equal(Math.Log(0.9), h.Score, 12);
            Assert.Equal(Math.Log(0.9), h.NormalizedScore, 12);   // lp(1) = 1
        }
        Assert.Single(beam);
    }

    [Fact]
    public void Decoders_NeverOutputPadOrBos()
    {
        // ⟨pad⟩ and ⟨bos⟩ carry most of the probability here; they are never candidates. Without the rules greedy would take
        // ⟨pad⟩ (0.4); with them it takes "a" (0.3), then ⟨eos⟩ (0.2) once no-repeat unigrams forbid "a". With a minimum
        // length as well, ⟨eos⟩ is forbidden too and the hypothesis ends as it is instead of continuing with ⟨pad⟩ or ⟨bos⟩.
        double[] PadHeavy(string prefix) => [0.4, 0.1, 0.2, 0.3];
        foreach (int minLength in new[] { 0, 5 })
        {
            var options = new DecodingOptions(BeamWidth: 2, MaxLengthA: 0, MaxLengthB: 20, MinLength: minLength, NoRepeatNGram: 1);
            var greedy = GreedyDecoder.Decode(new TableStepper(1, PadHeavy), [2], Specials, options with { BeamWidth = 1 })[0];
            var beam = BeamSearchDecoder.Decode(new TableStepper(2, PadHeavy), [2], Specials, options)[0];
            foreach (var h in beam.Prepend(greedy))
                Assert.All(h.Tokens, token => Assert.True(token is 2 or 3, $"[{string.Join(",", h.Tokens)}] holds ⟨pad⟩ or ⟨bos⟩"));
            Assert.Equal([3], greedy.Tokens);
            Assert.Equal(minLength == 0, greedy.Ended);                    // "a ⟨eos⟩", or "a" cut where every token is forbidden
        }
    }

    [Fact]
    public void Decoders_AtStepOneEveryTokenForbidden_GiveAnEmptyHypothesis()
    {
        var options = new DecodingOptions(BeamWidth: 2, MinLength: 1);
        double[] OnlyEos(string prefix) => [0, 0, 1, 0];
        var greedy = GreedyDecoder.Decode(new TableStepper(1, OnlyEos), [2], Specials, options)[0];
        var beam = BeamSearchDecoder.Decode(new TableStepper(2, OnlyEos), [2], Specials, options)[0];
        foreach (var h in new[] { greedy, beam[0] })
        {
            Assert.Empty(h.Tokens);
            Assert.False(h.Ended);
            Assert.Equal(0, h.Score);
        }
    }
}
