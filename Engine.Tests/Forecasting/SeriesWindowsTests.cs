using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

public class SeriesWindowsTests
{
    private static readonly double[] Z = [10, 11, 12, 13, 14, 15, 16];

    [Fact]
    public void ManyToOne_ValueOnly_HandLaidOut()
    {
        // T = 3, H = 1, targets in [0, 5): windows start at t = 3, 4 → inputs (10, 11, 12) → 13 and (11, 12, 13) → 14.
        var w = SeriesWindows.Build(Z, null, new WindowSpec(3), 0, 5);
        Assert.Equal(2, w.Count);
        Assert.Equal(new double[] { 10, 11, 12, 11, 12, 13 }, w.Inputs);
        Assert.Equal(new double[] { 13, 14 }, w.Targets);
        Assert.Equal(new[] { 3, 4 }, w.TargetStart);
    }

    [Fact]
    public void Direct_MultiStep_TargetsStayInsideTheRange()
    {
        // T = 2, H = 3, targets in [4, 7): only t = 4 fits (targets 14, 15, 16); inputs rows 2, 3.
        var w = SeriesWindows.Build(Z, null, new WindowSpec(2, 3), 4, 7);
        Assert.Equal(1, w.Count);
        Assert.Equal(new double[] { 12, 13 }, w.Inputs);
        Assert.Equal(new double[] { 14, 15, 16 }, w.Targets);
        Assert.Empty(SeriesWindows.Build(Z, null, new WindowSpec(2, 3), 5, 7).Targets);
    }

    [Fact]
    public void MonthFeatures_AreSinCosOfTheMonthAngle()
    {
        string[] dates = ["2000-01", "2000-04", "2000-07", "2000-10", "2001-01"];
        var w = SeriesWindows.Build(Z.AsSpan(0, 5), dates, new WindowSpec(2, 1, CalendarFeatures.MonthOfYear), 0, 5);
        Assert.Equal(3, w.Spec.Features);
        Assert.Equal(3, w.Count);
        // Window 0: rows 0 (January, θ = 0) and 1 (April, θ = π/2).
        Assert.Equal(10, w.Input(0, 0, 0));
        Assert.Equal(0, w.Input(0, 0, 1), 12);
        Assert.Equal(1, w.Input(0, 0, 2), 12);
        Assert.Equal(1, w.Input(0, 1, 1), 12);
        Assert.Equal(0, w.Input(0, 1, 2), 12);
        Assert.Equal(12, w.Target(0, 0));
        var (sin, cos) = SeriesWindows.CalendarAngle(new DateOnly(2001, 1, 1), CalendarFeatures.DayOfYear);
        Assert.Equal((0.0, 1.0), (sin, cos));
        (sin, _) = SeriesWindows.CalendarAngle(new DateOnly(2001, 4, 2), CalendarFeatures.DayOfYear); // day 92 of 365
        Assert.Equal(Math.Sin(2 * Math.PI * 91 / 365), sin, 12);
    }

    [Fact]
    public void Recursive_FeedsItsForecastsBack()
    {
        // A "model" that forecasts the mean of its two inputs: from history (10, 20): 15, then mean(20, 15) = 17.5, then 16.25.
        double[] seen = [];
        double[] f = SeriesWindows.Recursive(window => { seen = window; return (window[0] + window[1]) / 2; }, [10, 20], null, new WindowSpec(2), 3);
        Assert.Equal(new[] { 15, 17.5, 16.25 }, f);
        Assert.Equal(new[] { 15, 17.5 }, seen);
    }

    [Fact]
    public void WindowsPastOneArray_AreRefusedNamingTheSizes_BeforeAllocating()
    {
        // 100,000 values, T = 50,000: B = 50,000 windows of 50,000 inputs = 2.5·10⁹ values, more than one array holds.
        var values = new double[100_000];
        var e = Assert.Throws<ArgumentException>(() => SeriesWindows.Build(values, null, new WindowSpec(50_000), 0, values.Length));
        Assert.StartsWith("SeriesWindows.Build: the inputs B·T·F = 50000·50000·1 = 2500000000 values exceed one array", e.Message);
        // T = 1, H = 50,000: 50,000 windows of 50,000 targets.
        e = Assert.Throws<ArgumentException>(() => SeriesWindows.Build(values, null, new WindowSpec(1, 50_000), 0, values.Length));
        Assert.StartsWith("SeriesWindows.Build: the targets B·H = 50000·50000 = 2500000000 values exceed one array", e.Message);
    }

    [Fact]
    public void BadSpec_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeriesWindows.Build(Z, null, new WindowSpec(0), 0, 7));
        Assert.Throws<ArgumentException>(() => SeriesWindows.Build(Z, null, new WindowSpec(2, 1, CalendarFeatures.MonthOfYear), 0, 7));
        Assert.Throws<ArgumentException>(() => SeriesWindows.Recursive(_ => 0, [1], null, new WindowSpec(2), 1));
    }
}
