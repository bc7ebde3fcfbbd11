using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

/// <summary>Exactly regular series, whose lagged values are linearly dependent (statsmodels' and scikit-learn's fits do not fail on them either).</summary>
public class AutoRegressionTests
{
    // y_t = 3 + 0.5 t: AR(1) fits it exactly (c = 0.5, φ = 1); with a second lag the columns are dependent.
    private static readonly double[] Line = [.. Enumerable.Range(0, 40).Select(t => 3 + 0.5 * t)];

    [Fact]
    public void SelectOrderByAic_StraightLine_StopsAtTheFirstDependentOrder()
    {
        var (order, aic) = AutoRegression.SelectOrderByAic(Line, 6);
        Assert.Equal(1, order);
        Assert.True(aic[0] < double.PositiveInfinity);
        Assert.All(aic[1..], a => Assert.Equal(double.PositiveInfinity, a));
        var ar = new AutoRegression(order);
        ar.Fit(Line);
        Assert.Equal(3 + 0.5 * 40, ar.Forecast(Line), 9);
    }

    [Fact]
    public void Fit_DependentLags_NamesTheOrderAndTheCause()
    {
        var e = Assert.Throws<RankDeficientException>(() => new AutoRegression(3).Fit(Line));
        Assert.Equal(2, e.Column);
        Assert.StartsWith("AutoRegression: AR(3) cannot be fitted: lag 2 of the training values is a combination of the constant and the shorter lags", e.Message);
    }

    [Fact]
    public void Fit_DesignMatrixPastOneArray_IsRefusedNamingTheSizes_BeforeAllocating()
    {
        // AR(50,000) on 120,000 values: m = 70,000 rows of p + 1 = 50,001 columns = 3.5·10⁹ values.
        var e = Assert.Throws<ArgumentException>(() => new AutoRegression(50_000).Fit(new double[120_000]));
        Assert.StartsWith("AutoRegression: AR(50000) on 70000 rows: the design matrix m·(p + 1) = 70000·50001 = 3500070000 values exceed one array", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DirectAutoRegression(50_000, 2).Fit(new double[120_000]));
        Assert.Contains("m·(p + 1) = 70000·50001", e.Message);
    }

    [Fact]
    public void SelectOrderByAic_ConstantSeries_SaysItIsConstant()
    {
        var e = Assert.Throws<RankDeficientException>(() => AutoRegression.SelectOrderByAic(Enumerable.Repeat(7.0, 30).ToArray(), 4));
        Assert.Contains("AR(1) cannot be fitted", e.Message);
        Assert.Contains("the series is constant", e.Message);
        Assert.EndsWith("no AR model describes it, only a naive forecast.", e.Message);   // no lower order than 1 exists
    }
}
