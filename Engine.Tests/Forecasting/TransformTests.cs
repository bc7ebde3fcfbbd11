using SeqLearn.Forecasting;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

public class TransformTests
{
    private static double[] RandomPositive(ulong seed, int n)
    {
        var rng = new SeededRng(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = 0.5 + 100 * rng.NextDouble();
        return x;
    }

    [Fact]
    public void Difference_HandComputed_AndInverse()
    {
        double[] x = [1, 4, 9, 16, 25];
        var d1 = new DifferenceTransform(1);
        Assert.Equal(new double[] { 3, 5, 7, 9 }, d1.Forward(x));
        var d2 = new DifferenceTransform(2);
        Assert.Equal(new double[] { 8, 12, 16 }, d2.Forward(x));
        Assert.Equal(x, d2.Inverse([8, 12, 16], [1, 4]));
        Assert.Equal(19, d2.InverseStep(10, [1, 4, 9, 16])); // x̂_4 = ẑ + x_2 = 10 + 9
    }

    [Fact]
    public void Scalers_HandComputedParameters()
    {
        var standard = new StandardScaler();
        standard.Fit([1, 2, 3]);
        Assert.Equal(2, standard.Offset, 12);
        Assert.Equal(Math.Sqrt(2.0 / 3), standard.Scale, 12);
        var minmax = new MinMaxScaler();
        minmax.Fit([3, -1, 7]);
        Assert.Equal(new[] { 0.5, 0, 1, 1.25 }, minmax.Forward([3, -1, 7, 9]));
        var constant = new StandardScaler();
        constant.Fit([4, 4]);
        Assert.Equal(new double[] { 0, 1 }, constant.Forward([4, 5]));
        Assert.Throws<InvalidOperationException>(() => new MinMaxScaler().Forward([1]));
        Assert.Throws<ArgumentException>(() => new LogTransform().Forward([1, 0]));
    }

    public static TheoryData<string> Pipelines => new() { "log", "diff1", "diff12", "minmax", "standard", "log,diff1,diff12,standard", "diff12,minmax" };

    private static TransformPipeline Make(string spec) => new(spec.Split(',').Select(s => s switch
    {
        "log" => (ISeriesTransform)new LogTransform(),
        "diff1" => new DifferenceTransform(1),
        "diff12" => new DifferenceTransform(12),
        "minmax" => new MinMaxScaler(),
        _ => new StandardScaler(),
    }).ToArray());

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void Inverse_OfForward_ReproducesTheSeries(string spec)
    {
        for (ulong seed = 1; seed <= 5; seed++)
        {
            double[] x = RandomPositive(seed, 60);
            var pipeline = Make(spec).FitOnTrain(x, new ForecastSplit(40, 60));
            double[] z = pipeline.Forward(x);
            Assert.Equal(60 - pipeline.Lag, z.Length);
            double[] back = pipeline.Inverse(z, x.AsSpan(0, pipeline.Lag));
            for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], back[i], 9);
        }
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void InverseStep_OfTheTrueTransformedValue_IsTheTrueValue(string spec)
    {
        double[] x = RandomPositive(7, 60);
        var pipeline = Make(spec).FitOnTrain(x, new ForecastSplit(40, 60));
        double[] z = pipeline.Forward(x);
        for (int t = 40; t < 60; t++) Assert.Equal(x[t], pipeline.InverseStep(z[t - pipeline.Lag], x.AsSpan(0, t)), 9);
    }

    [Fact]
    public void Fit_NeverReadsTargetRows()
    {
        var air = TimeSeriesCsvTests.Airline();
        var split = ForecastProtocol.Parse("split:0.67").Resolve(air);
        double[] changed = (double[])air.Values.Clone();
        for (int t = split.TrainCount; t < changed.Length; t++) changed[t] = 1e6 + 37 * t;
        foreach (Func<AffineScaler> make in new Func<AffineScaler>[] { () => new StandardScaler(), () => new MinMaxScaler() })
        {
            AffineScaler a = make(), b = make();
            new TransformPipeline(new LogTransform(), new DifferenceTransform(12), a).FitOnTrain(air.Values, split);
            new TransformPipeline(new LogTransform(), new DifferenceTransform(12), b).FitOnTrain(changed, split);
            Assert.Equal((a.Offset, a.Scale), (b.Offset, b.Scale));
            var whole = make();
            new TransformPipeline(new LogTransform(), new DifferenceTransform(12), whole).Fit(changed);
            Assert.NotEqual((a.Offset, a.Scale), (whole.Offset, whole.Scale));
        }
    }
}
