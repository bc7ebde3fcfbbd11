using SeqLearn.Generation;

namespace SeqLearn.Tests.Generation;

public class BeamSearchTests
{
    /// <summary>Every complete continuation: ends at the first EOS, or has exactly maxLength tokens.</summary>
    private static IEnumerable<int[]> Enumerate(int v, int maxLength, int? eos)
    {
        var frontier = new List<int[]> { Array.Empty<int>() };
        for (int len = 1; len <= maxLength; len++)
        {
            var next = new List<int[]>();
            foreach (var prefix in frontier)
                for (int t = 0; t < v; t++)
                {
                    int[] seq = [.. prefix, t];
                    if (t == eos || len == maxLength) yield return seq;
                    else next.Add(seq);
                }
            frontier = next;
        }
    }

    [Theory]
    [InlineData(LengthNormalization.None, 3)]
    [InlineData(LengthNormalization.Average, 3)]
    [InlineData(LengthNormalization.Gnmt, 3)]
    [InlineData(LengthNormalization.None, 5)]
    public void WideBeam_FindsTheExactBestSequences(LengthNormalization norm, int k)
    {
        const int v = 3, maxLength = 4, eos = 2, start = 0;
        var chain = MarkovChain.Random(v, seed: 17);
        int all = Enumerate(v, maxLength, eos).Count();
        var options = new BeamSearchOptions(Width: all, maxLength, eos, norm, Alpha: 0.8);
        var expected = Enumerate(v, maxLength, eos)
            .Select(s => (Seq: s, Score: options.Score(chain.LogProbability(start, s), s.Length)))
            .OrderByDescending(x => x.Score)
            .Take(k)
            .ToArray();
        var got = BeamSearch.Search(chain, start, [start], options).Take(k).ToArray();
        Assert.Equal(k, got.Length);
        for (int i = 0; i < k; i++)
        {
            Assert.Equal(expected[i].Seq, got[i].Tokens);
            Assert.Equal(expected[i].Score, got[i].Score, 9);
            Assert.Equal(chain.LogProbability(start, got[i].Tokens), got[i].LogProbability, 9);
            Assert.Equal(got[i].Tokens[^1] == eos, got[i].Finished);
        }
    }

    [Fact]
    public void Beam_BeatsGreedy_WhereGreedyIsMyopic()
    {
        // From 0: token 1 (p .6) then anything (spread thinly), or token 2 (p .4) then EOS 3 surely.
        double[,] p =
        {
            { 0.00001, 0.6, 0.39998, 0.00001 },
            { 0.25, 0.25, 0.25, 0.25 },
            { 0.00001, 0.00001, 0.00001, 0.99997 },
            { 0.25, 0.25, 0.25, 0.25 },
        };
        var chain = new MarkovChain(p);
        var greedy = BeamSearch.Search(chain, 0, [0], new BeamSearchOptions(1, 2, EosId: 3));
        var beam = BeamSearch.Search(chain, 0, [0], new BeamSearchOptions(2, 2, EosId: 3));
        var best = Enumerate(4, 2, 3).MaxBy(s => chain.LogProbability(0, s))!;
        Assert.Equal([2, 3], best);
        Assert.Equal(best, beam[0].Tokens);
        Assert.NotEqual(best, greedy[0].Tokens);
        Assert.Equal(1, greedy[0].Tokens[0]);
    }

    [Fact]
    public void Results_AreSortedAndAtMostWidth()
    {
        var chain = MarkovChain.Random(5, seed: 3);
        var r = BeamSearch.Search(chain, 1, [1, 4], new BeamSearchOptions(3, 6, EosId: 0, LengthNormalization.Gnmt));
        Assert.InRange(r.Count, 1, 3);
        Assert.True(r.Zip(r.Skip(1)).All(x => x.First.Score >= x.Second.Score));
        Assert.Equal([1, 4], chain.Fed.Take(2));   // the prompt is fed first, in order
    }

    [Fact]
    public void LengthPenalty_MatchesFormulas()
    {
        Assert.Equal(-6.0, new BeamSearchOptions(1, 1, Normalization: LengthNormalization.None).Score(-6, 3));
        Assert.Equal(-2.0, new BeamSearchOptions(1, 1, Normalization: LengthNormalization.Average).Score(-6, 3));
        Assert.Equal(-6 / Math.Pow(8.0 / 6.0, 0.6), new BeamSearchOptions(1, 1, Normalization: LengthNormalization.Gnmt, Alpha: 0.6).Score(-6, 3), 12);
    }

    /// <summary>An empty prompt and logits the model cannot return are argument errors naming the parameter.</summary>
    [Fact]
    public void EmptyPromptOrBadLogits_AreArgumentErrorsNamingTheParameter()
    {
        var chain = MarkovChain.Random(4, seed: 2);
        var empty = Assert.Throws<ArgumentException>(() => BeamSearch.Search(chain, 0, [], new BeamSearchOptions(2, 3)));
        Assert.Contains("the prompt is empty", empty.Message);
        Assert.Equal("prompt", empty.ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => BeamSearch.LogSoftmax([0f, float.NaN])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => BeamSearch.LogSoftmax([float.NegativeInfinity])).ParamName);
    }

    /// <summary>
    /// A NaN α makes every GNMT score NaN, and the results are then ranked by their tokens instead of by probability; an
    /// undefined normalisation silently acted as GNMT. Both must be clear errors.
    /// </summary>
    [Fact]
    public void Options_NonFiniteAlphaOrUnknownNormalization_AreClearErrors()
    {
        var chain = MarkovChain.Random(4, seed: 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            BeamSearch.Search(chain, 0, [0], new BeamSearchOptions(2, 3, Normalization: LengthNormalization.Gnmt, Alpha: double.NaN)));
        Assert.Equal("options", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BeamSearch.Search(chain, 0, [0], new BeamSearchOptions(2, 3, Normalization: LengthNormalization.Gnmt, Alpha: double.PositiveInfinity)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BeamSearch.Search(chain, 0, [0], new BeamSearchOptions(2, 3, Normalization: (LengthNormalization)7)));
    }

    /// <summary>
    /// Score is public: an undefined normalisation must not be scored as GNMT, a length below one token (no hypothesis has
    /// one) must not give ±∞ or NaN, and a non-finite GNMT α must not give NaN scores; each names what it refuses.
    /// </summary>
    [Fact]
    public void Score_UndefinedNormalizationLengthBelowOneOrNonFiniteAlpha_AreClearErrors()
    {
        Assert.Equal("Normalization", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new BeamSearchOptions(1, 1, Normalization: (LengthNormalization)7).Score(-6, 3)).ParamName);
        foreach (var norm in Enum.GetValues<LengthNormalization>())
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BeamSearchOptions(1, 1, Normalization: norm).Score(-6, 0));
            Assert.Equal("length", e.ParamName);
            Assert.Contains("at least 1", e.Message);
        }
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new BeamSearchOptions(1, 1, Normalization: LengthNormalization.Gnmt, Alpha: double.NaN).Score(-6, 3)).ParamName);
        Assert.Equal(-6.0, new BeamSearchOptions(1, 1, Normalization: LengthNormalization.None, Alpha: double.NaN).Score(-6, 3));
    }

    [Theory]
    [InlineData(LengthNormalization.None)]
    [InlineData(LengthNormalization.Gnmt)]
    public void WidthIntMaxValue_IsTheExactSearch_HoldingOnlyTheHypothesesThereAre(LengthNormalization norm)
    {
        // 2·W must not overflow int (no candidate would be taken), and W slots must not be allocated up front.
        const int v = 3, maxLength = 4, eos = 2, start = 0;
        var chain = MarkovChain.Random(v, seed: 17);
        int all = Enumerate(v, maxLength, eos).Count();
        var exact = BeamSearch.Search(chain, start, [start], new BeamSearchOptions(Width: all, maxLength, eos, norm, Alpha: 0.8));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var widest = BeamSearch.Search(chain, start, [start], new BeamSearchOptions(Width: int.MaxValue, maxLength, eos, norm, Alpha: 0.8));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(all, widest.Count);
        Assert.Equal(exact.Select(h => h.Tokens), widest.Select(h => h.Tokens));
        Assert.Equal(exact.Select(h => h.Score), widest.Select(h => h.Score));
    }
}
