using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

public class HorizonEvaluationTests
{
    private static readonly double[] Walk = [.. Enumerable.Range(0, 40).Select(i => Math.Round(10 + 3 * Math.Sin(i * 0.7) + 0.25 * i, 3))];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Persistence_HStepsAhead_IsTheValueHRowsBack(int h)
    {
        var split = new ForecastSplit(30, 40);
        double[] f = HorizonEvaluation.Forecasts(new PersistenceForecaster(), Walk, split, h);
        Assert.Equal(10 - h + 1, f.Length);
        for (int i = 0; i < f.Length; i++) Assert.Equal(Walk[30 + h - 1 + i - h], f[i]);
    }

    [Fact]
    public void Ar1_OnAnExactGeometricSeries_MultipliesByPhiToTheH()
    {
        double[] y = [.. Enumerable.Range(0, 20).Select(i => Math.Pow(1.1, i))];
        var split = new ForecastSplit(12, 20);
        double[] f = HorizonEvaluation.Forecasts(new AutoRegression(1), y, split, 4);
        for (int i = 0; i < f.Length; i++) Assert.Equal(y[15 + i], f[i], 9);       // ŷ_t = 1.1⁴ y_{t−4} = y_t
    }

    [Fact]
    public void HorizonOne_IsTheOneStepEvaluation()
    {
        var split = new ForecastSplit(25, 40);
        Assert.Equal(OneStepEvaluation.Forecasts(new AutoRegression(3), Walk, split), HorizonEvaluation.Forecasts(new AutoRegression(3), Walk, split, 1));
    }

    [Fact]
    public void HorizonBeyondTheTargets_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HorizonEvaluation.Forecasts(new PersistenceForecaster(), Walk, new ForecastSplit(30, 40), 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => HorizonEvaluation.Forecasts(new PersistenceForecaster(), Walk, new ForecastSplit(30, 40), 0));
    }
}
