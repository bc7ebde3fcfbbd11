using SeqLearn.Autograd;
using SeqLearn.Forecasting;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

public class RecurrentForecastNetworkTests
{
    private static Var<double> Window(int batch, int steps, int features, ulong seed)
    {
        var rng = new SeededRng(seed);
        return new Var<double>(Tensor<double>.Uniform([batch, steps, features], -1, 1, rng), requiresGrad: true);
    }

    [Fact]
    public void LinearPath_StartsAtZero_SoTheNetworkStartsAsTheRecurrentPartAlone()
    {
        var plain = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 5, 3, 4, 1, 2, linearPath: false, new SeededRng(7));
        var withPath = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 5, 3, 4, 1, 2, linearPath: true, new SeededRng(7));
        Assert.Equal(plain.ParameterCount() + 2 * 5 * 3, withPath.ParameterCount());
        Assert.All(withPath.Parameter("ar.weight").Value.ToArray(), w => Assert.Equal(0, w));
        var x = Window(3, 5, 3, 1);
        Assert.Equal(plain.Forward(x, LayerContext.None).Value.ToArray(), withPath.Forward(x, LayerContext.None).Value.ToArray());
    }

    [Fact]
    public void LinearPath_AddsAVecX()
    {
        // With the recurrent output subtracted, what remains is A vec(x) for A (K, T·F).
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Gru, 4, 2, 3, 1, 2, linearPath: true, new SeededRng(3));
        var x = Window(2, 4, 2, 5);
        double[] before = net.Forward(x, LayerContext.None).Value.ToArray();
        var a = net.Parameter("ar.weight").Value.Span;                  // (2, 8)
        for (int i = 0; i < a.Length; i++) a[i] = 0.1 * (i + 1);
        double[] after = net.Forward(x, LayerContext.None).Value.ToArray();
        double[] xs = x.Value.ToArray();
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++)
            {
                double ax = 0;
                for (int j = 0; j < 8; j++) ax += a[k * 8 + j] * xs[b * 8 + j];
                Assert.Equal(before[b * 2 + k] + ax, after[b * 2 + k], 12);
            }
    }

    [Fact]
    public void Gradient_MatchesCentralDifferences()
    {
        // float64 central differences over the input window and every parameter (both paths), on a weighted sum of ẑ.
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 3, 2, 3, 1, 2, linearPath: true, new SeededRng(11));
        var a = net.Parameter("ar.weight").Value.Span;
        for (int i = 0; i < a.Length; i++) a[i] = 0.3 - 0.05 * i;
        var x = Window(2, 3, 2, 9).Value;
        var u = Tensor<double>.Uniform([2, 2], -1, 1, new SeededRng(4));
        Assert.True(GradientCheck.Check(v => Ops.Sum(Ops.Mul(net.Forward(v[0], LayerContext.None), new Var<double>(u))), x).Passed);
        Assert.True(GradientCheck.CheckParameters(() => Ops.Sum(Ops.Mul(net.Forward(new Var<double>(x), LayerContext.None), new Var<double>(u))),
            [.. net.Parameters()]).Passed);
    }

    [Theory]
    [InlineData(new[] { 4, 3 })]      // a window shorter than T
    [InlineData(new[] { 4 })]         // one length for two windows
    [InlineData(new[] { 4, 4, 4 })]
    public void Lengths_OtherThanTForEveryWindow_AreRefused(int[] lengths)
    {
        // The windows are full (the linear path reads every step): lengths of T for each window are accepted, others not.
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Gru, 4, 1, 3, 1, 1, linearPath: true, new SeededRng(2));
        var x = Window(2, 4, 1, 3);
        Assert.Equal(net.Forward(x, LayerContext.None).Value.ToArray(), net.Forward(x, new LayerContext(Lengths: [4, 4])).Value.ToArray());
        var e = Assert.Throws<ArgumentException>(() => net.Forward(x, new LayerContext(Lengths: lengths)));
        Assert.Equal("RecurrentForecastNetwork: windows are full, so lengths must be 2 values of 4 (or none). (Parameter 'context')", e.Message);
    }
}

public class RecurrentForecasterCalendarTests
{
    private static readonly string[] Months = [.. Enumerable.Range(0, 60).Select(i => new DateOnly(2000, 1, 1).AddMonths(i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void Calendar_WithoutDates_Throws()
    {
        using var pool = new SeqLearn.Kernels.WorkerPool(1);
        var options = new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 5, Calendar: CalendarFeatures.MonthOfYear);
        var e = Assert.Throws<ArgumentException>(() => new RecurrentForecaster(options, pool));
        Assert.Contains("calendar features", e.Message);
    }

    [Fact]
    public void Calendar_ReadsTheDates_SoTheForecastDiffersFromTheValueOnlyModel()
    {
        using var pool = new SeqLearn.Kernels.WorkerPool(1);
        double[] z = [.. Enumerable.Range(0, 59).Select(i => Math.Sin(i * 0.5) + 0.01 * i)];
        var plain = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 30), pool);
        var dated = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 30, Calendar: CalendarFeatures.MonthOfYear), pool, Months);
        plain.Fit(z);
        dated.Fit(z);
        double a = plain.Forecast(z), b = dated.Forecast(z);        // ẑ for row 59, whose date (2004-12) is the last of Months
        Assert.True(double.IsFinite(a) && double.IsFinite(b));
        Assert.NotEqual(a, b);
        // Forecasting row 60 needs a 61st date.
        Assert.Throws<ArgumentException>(() => dated.Forecast([.. z, 0.5]));
    }
}
