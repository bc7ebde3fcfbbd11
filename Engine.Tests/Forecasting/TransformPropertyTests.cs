using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using SeqLearn.Forecasting;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

/// <summary>FsCheck properties of transform pipelines over generated series, stage lists and cuts (fixed replay seed).</summary>
public class TransformPropertyTests
{
    private static readonly string[] Stages = ["log", "diff1", "diff3", "diff12", "minmax", "standard"];

    private static Config Fixed(ulong seed, int tests) =>
        Config.QuickThrowOnFailure
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)))
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true);

    /// <summary>(n, n_train, stage list as indices into <see cref="Stages"/>, data seed); n_train exceeds the lags by at least 2.</summary>
    private static Arbitrary<(int N, int Train, int[] Stages, int Seed)> Cases() =>
        (from n in Gen.Choose(40, 120)
         from train in Gen.Choose(30, n - 1)
         from count in Gen.Choose(1, 4)
         from stages in Gen.ArrayOf(Gen.Choose(0, Stages.Length - 1), count)
         from seed in Gen.Choose(0, 1_000_000)
         where stages.Sum(i => Stages[i].StartsWith("diff", StringComparison.Ordinal) ? int.Parse(Stages[i][4..]) : 0) < train - 1
         select (n, train, stages, seed)).ToArbitrary();

    private static (double[] X, TransformPipeline Pipeline) Make((int N, int Train, int[] Stages, int Seed) c)
    {
        var rng = new SeededRng((ulong)c.Seed);
        var x = new double[c.N];
        for (int i = 0; i < x.Length; i++) x[i] = 1 + 50 * rng.NextDouble() + 0.5 * i;
        string spec = string.Join(",", c.Stages.Select(s => Stages[s]).Where((s, i) => s != "log" || i == 0)); // log only first: later stages may be ≤ 0
        return (x, TransformedForecaster.ParsePipeline(spec));
    }

    [Fact]
    public void InverseOfForward_AndInverseStep_ReproduceTheSeries()
    {
        var property = Prop.ForAll(Cases(), c =>
        {
            var (x, pipeline) = Make(c);
            pipeline.FitOnTrain(x, new ForecastSplit(c.Train, c.N));
            double[] z = pipeline.Forward(x);
            double[] back = pipeline.Inverse(z, x.AsSpan(0, pipeline.Lag));
            for (int t = 0; t < x.Length; t++) Assert.Equal(x[t], back[t], 8);
            for (int t = Math.Max(c.Train, pipeline.Lag); t < x.Length; t++)
                Assert.Equal(x[t], pipeline.InverseStep(z[t - pipeline.Lag], x.AsSpan(0, t)), 8);
        });
        Check.One(Fixed(20261204, 80), property);
    }

    [Fact]
    public void FitOnTrain_DoesNotDependOnTargetRows()
    {
        var property = Prop.ForAll(Cases(), c =>
        {
            var (x, a) = Make(c);
            var (_, b) = Make(c);
            double[] changed = (double[])x.Clone();
            for (int t = c.Train; t < changed.Length; t++) changed[t] = 1e4 + t;
            a.FitOnTrain(x, new ForecastSplit(c.Train, c.N));
            b.FitOnTrain(changed, new ForecastSplit(c.Train, c.N));
            // Same fitted maps: the two pipelines agree on any input.
            Assert.Equal(a.Forward(x), b.Forward(x));
        });
        Check.One(Fixed(4, 60), property);
    }
}
