using SeqLearn.Generation;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Generation;

public class SamplerTests
{
    private static float[] LogitsOf(params double[] p) => p.Select(x => (float)Math.Log(x)).ToArray();

    /// <summary>softmax(l / τ) computed here independently, in double.</summary>
    private static double[] Softmax(float[] logits, double tau = 1)
    {
        var e = logits.Select(l => Math.Exp(l / tau)).ToArray();
        double z = e.Sum();
        return e.Select(x => x / z).ToArray();
    }

    [Fact]
    public void Probabilities_NoFilters_IsSoftmax()
    {
        float[] logits = [2.0f, -1.0f, 0.5f, 0.0f, 3.0f];
        var s = new Sampler(5);
        TensorAssert.AllClose<double>(Softmax(logits), s.Probabilities(logits, new()), 1e-12, 1e-15);
        TensorAssert.AllClose<double>(Softmax(logits, 0.5), s.Probabilities(logits, new(Temperature: 0.5)), 1e-12, 1e-15);
    }

    [Fact]
    public void Sample_Greedy_ValidatesItsOptions_AndRefusesAllMinusInfinity()
    {
        var s = new Sampler(3);
        var rng = new SeededRng(1);
        float[] none = [float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity];
        Assert.Contains("every logit is −∞", Assert.Throws<ArgumentException>(() => s.Sample(none, new(Temperature: 0), rng)).Message);
        Assert.Contains("every logit is −∞", Assert.Throws<ArgumentException>(() => s.Sample(none, new(), rng)).Message);
        // Greedy still validates the options: SamplingOptions.Validate's documented ArgumentOutOfRangeException for TopK.
        var topK = Assert.Throws<ArgumentOutOfRangeException>(() => s.Sample([0f, 1f, 2f], new(Temperature: 0, TopK: -5), rng));
        Assert.Equal("TopK", topK.ParamName);
        Assert.Contains("top-k must be ≥ 0 (0 disables it), got -5", topK.Message);
        Assert.Equal(2, s.Sample([0f, 1f, 2f], new(Temperature: 0), rng));
    }

    /// <summary>Every refusal of bad logits or a bad distribution names the parameter that holds them.</summary>
    [Fact]
    public void BadLogits_AreArgumentErrorsNamingTheParameter()
    {
        var s = new Sampler(3);
        var rng = new SeededRng(1);
        float[] none = [float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity];
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Sampler.Greedy([])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Sampler.Greedy([1f, float.NaN])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Sampler.Greedy(none)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => s.Probabilities([1f, 2f], new())).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => s.Sample([1f, 2f], new(), rng)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => s.Probabilities([1f, 2f, float.PositiveInfinity], new())).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => s.Probabilities(none, new())).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Sampler.Draw([0.0, 0.0], 0.5)).ParamName);
    }

    /// <summary>A draw outside [0, 1) or over a NaN, infinite or negative weight is refused, not answered with the last token.</summary>
    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Draw_UOutsideTheUnitInterval_IsRefused(double u) =>
        Assert.Equal("u", Assert.Throws<ArgumentOutOfRangeException>(() => Sampler.Draw([0.5, 0.5], u)).ParamName);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.25)]
    public void Draw_BadWeight_IsRefusedNamingIt(double bad)
    {
        var e = Assert.Throws<ArgumentException>(() => Sampler.Draw([bad, 0.5, 0.5], 0.9));
        Assert.Equal("p", e.ParamName);
        Assert.Contains("p[0]", e.Message);
        Assert.Equal(1, Sampler.Draw([0.0, 0.5, 0.5], 0.3));   // zero weights are skipped, as before
    }

    [Fact]
    public void TopK_NeverPicksOutsideTheKLargest()
    {
        var rng = new SeededRng(9);
        var s = new Sampler(50);
        for (int trial = 0; trial < 20; trial++)
        {
            var logits = Enumerable.Range(0, 50).Select(_ => (float)rng.NextNormal()).ToArray();
            int k = 1 + rng.NextInt(10);
            var topK = logits.Select((l, i) => (l, i)).OrderByDescending(x => x.l).Take(k).Select(x => x.i).ToHashSet();
            var p = s.Probabilities(logits, new(TopK: k)).ToArray();
            for (int i = 0; i < 50; i++) Assert.True(topK.Contains(i) || p[i] == 0, $"token {i} outside the top {k} has p = {p[i]}");
            for (int draw = 0; draw < 200; draw++) Assert.Contains(s.Sample(logits, new(TopK: k), rng), topK);
            // The kept mass is the softmax restricted to the top k, renormalised.
            var full = Softmax(logits);
            double kept = topK.Sum(i => full[i]);
            foreach (int i in topK) Assert.Equal(full[i] / kept, p[i], 12);
        }
    }

    [Theory]
    [InlineData(0.65, new[] { 1, 3 })]          // 0.4 + 0.3 = 0.7 ≥ 0.65
    [InlineData(0.71, new[] { 1, 3, 2 })]       // needs 0.2 more
    [InlineData(0.30, new[] { 1 })]             // the top token alone
    [InlineData(1.00, new[] { 0, 1, 2, 3 })]
    public void TopP_KeepsTheSmallestSetReachingP(double topP, int[] kept)
    {
        var logits = LogitsOf(0.1, 0.4, 0.2, 0.3);
        var q = Softmax(logits);   // (0.1, 0.4, 0.2, 0.3) up to float rounding of the logits
        var p = new Sampler(4).Probabilities(logits, new(TopP: topP)).ToArray();
        double mass = kept.Sum(i => q[i]);
        for (int i = 0; i < 4; i++) Assert.Equal(kept.Contains(i) ? q[i] / mass : 0, p[i], 12);
    }

    [Fact]
    public void TopP_ExactlyReachingP_StopsThere_TiesByLowerId()
    {
        // Four equal logits: p = 1/4 each (exact in binary); 1/4 + 1/4 reaches 0.5 exactly.
        var p = new Sampler(4).Probabilities([0f, 0f, 0f, 0f], new(TopP: 0.5)).ToArray();
        Assert.Equal([0.5, 0.5, 0.0, 0.0], p);
    }

    /// <summary>The filters by the definition: full sort by (p descending, id ascending), then prefixes.</summary>
    private static double[] ReferenceFilter(float[] logits, double tau, int k, double topP)
    {
        var p = Softmax(logits, tau);
        if (k > 0 && k < p.Length)
        {
            float kth = logits.OrderByDescending(l => l).ElementAt(k - 1);
            for (int i = 0; i < p.Length; i++) if (logits[i] < kth) p[i] = 0;
        }
        double total = p.Sum();
        if (topP < 1)
        {
            var order = Enumerable.Range(0, p.Length).Where(i => p[i] > 0).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
            double cumulative = 0;
            int keep = 0;
            while (keep < order.Length && cumulative < topP - 1e-12) cumulative += p[order[keep++]] / total;
            foreach (int i in order.Skip(keep)) p[i] = 0;
        }
        total = p.Sum();
        return p.Select(x => x / total).ToArray();
    }

    [Fact]
    public void Filters_MatchTheFullSortDefinition_OnRandomLogitsWithTies()
    {
        var rng = new SeededRng(77);
        for (int trial = 0; trial < 300; trial++)
        {
            int v = 1 + rng.NextInt(60);
            // Rounded logits: many exact ties, which is where orderings differ.
            var logits = Enumerable.Range(0, v).Select(_ => (float)Math.Round(rng.NextNormal() * 2, 0)).ToArray();
            var options = new SamplingOptions(0.5 + rng.NextDouble(), rng.NextInt(v + 2), rng.NextInt(4) == 0 ? 1.0 : 0.05 + 0.95 * rng.NextDouble());
            var expected = ReferenceFilter(logits, options.Temperature, options.TopK, options.TopP);
            var actual = new Sampler(v).Probabilities(logits, options).ToArray();
            TensorAssert.AllClose<double>(expected, actual, 1e-9, 1e-12, $"trial {trial} (V {v}, {options})");
        }
    }

    [Fact]
    public void TopKThenTopP_ComposeInThatOrder()
    {
        var logits = LogitsOf(0.05, 0.35, 0.25, 0.2, 0.15);
        // top-2 keeps {1, 2} → (0.35, 0.25)/0.6 = (0.583, 0.417); top-p 0.5 then keeps {1} alone.
        var p = new Sampler(5).Probabilities(logits, new(TopK: 2, TopP: 0.5)).ToArray();
        Assert.Equal([0.0, 1.0, 0.0, 0.0, 0.0], p.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Temperature_TowardsZero_EqualsGreedy()
    {
        var rng = new SeededRng(4);
        var s = new Sampler(20);
        for (int trial = 0; trial < 50; trial++)
        {
            var logits = Enumerable.Range(0, 20).Select(i => (float)(i * 0.25)).OrderBy(_ => rng.NextDouble()).ToArray();
            int greedy = Sampler.Greedy(logits);
            Assert.Equal(Array.IndexOf(logits, logits.Max()), greedy);
            Assert.Equal(greedy, s.Sample(logits, SamplingOptions.Greedy, rng));
            for (int draw = 0; draw < 20; draw++) Assert.Equal(greedy, s.Sample(logits, new(Temperature: 1e-3), rng));
        }
    }

    [Fact]
    public void Greedy_TiesPickTheLowestId()
    {
        Assert.Equal(1, Sampler.Greedy([0f, 2f, 2f, 1f]));
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.5, 3, 1.0)]
    public void EmpiricalFrequencies_ConvergeToTheDistribution(double tau, int k, double topP)
    {
        float[] logits = [0.3f, -0.5f, 1.2f, 0.0f, 0.8f, -1.0f];
        var expected = Softmax(logits, tau);
        if (k > 0)
        {
            var keep = expected.Select((p, i) => (p, i)).OrderByDescending(x => x.p).Take(k).Select(x => x.i).ToHashSet();
            double mass = keep.Sum(i => expected[i]);
            expected = expected.Select((p, i) => keep.Contains(i) ? p / mass : 0).ToArray();
        }
        var s = new Sampler(logits.Length);
        var rng = new SeededRng(123);
        const int n = 40_000;
        var counts = new int[logits.Length];
        for (int draw = 0; draw < n; draw++) counts[s.Sample(logits, new(tau, k, topP), rng)]++;
        double chi2 = 0;
        int df = -1;
        for (int i = 0; i < counts.Length; i++)
        {
            if (expected[i] == 0) { Assert.Equal(0, counts[i]); continue; }
            chi2 += Math.Pow(counts[i] - n * expected[i], 2) / (n * expected[i]);
            df++;
        }
        // 99.9% quantiles of χ² for 2 and 5 degrees of freedom.
        double critical = df == 2 ? 13.82 : df == 5 ? 20.52 : throw new InvalidOperationException($"df {df}");
        Assert.True(chi2 < critical, $"χ² = {chi2:F2} with {df} df exceeds {critical}");
    }

    [Fact]
    public void BadInput_IsAClearError()
    {
        var s = new Sampler(3);
        Assert.Contains("logit 1 is NaN", Assert.ThrowsAny<ArgumentException>(() => s.Probabilities([0f, float.NaN, 1f], new())).Message);
        Assert.Contains("logit 2 is Infinity", Assert.ThrowsAny<ArgumentException>(() => s.Probabilities([0f, 1f, float.PositiveInfinity], new())).Message);
        Assert.Equal([0.0, 1.0, 0.0], s.Probabilities([0f, 100f, 99f], new(Temperature: 1e-300)).ToArray());
        Assert.Contains("V = 3", Assert.Throws<ArgumentException>(() => s.Probabilities([0f, 1f], new())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Probabilities([0f, 1f, 2f], new(TopP: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Probabilities([0f, 1f, 2f], new(Temperature: -1)));
        Assert.Equal([0.0, 1.0, 0.0], s.Probabilities([float.NegativeInfinity, 0f, float.NegativeInfinity], new()).ToArray());
    }

    /// <summary>
    /// Top-k keeps the tokens whose logit is at least the k-th largest logit (docs/generation.md). Distinct logits can
    /// have equal probabilities once exp rounds (a very high τ, or logits closer than the double precision of exp), and
    /// then the heap order (p, then id) is not the logit order: token 0 was kept as "the k-th" although token 1's logit is
    /// larger.
    /// </summary>
    [Fact]
    public void TopK_DistinctLogitsWithEqualProbabilities_KeepsOnlyTheKLargestLogits()
    {
        var s = new Sampler(3);
        float[] close = [0f, 1e-20f, -1f];                       // exp(0) = exp(1e-20) in double, at τ = 1
        Assert.Equal([0.0, 1.0, 0.0], s.Probabilities(close, new(TopK: 1)).ToArray());
        float[] logits = [1.0f, 1.0000001f, 0.5f];               // τ = 1e10: exp((l − max) / τ) rounds to 1 for tokens 0 and 1
        Assert.Equal([0.0, 1.0, 0.0], s.Probabilities(logits, new(Temperature: 1e10, TopK: 1)).ToArray());
        var rng = new SeededRng(3);
        for (int draw = 0; draw < 100; draw++) Assert.Equal(1, s.Sample(close, new(TopK: 1), rng));
    }
}
