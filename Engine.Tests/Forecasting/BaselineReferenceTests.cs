using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

/// <summary>
/// The baselines against two independent references: the published values of each protocol (within 1 %) and
/// statsmodels 0.13.5 (numpy persistence / seasonal naive, AutoReg(trend="c") fitted once on the training rows),
/// printed by scripts/forecast_baselines_statsmodels.py.
/// </summary>
public class BaselineReferenceTests
{
    private static ForecastRow Row(ForecastReport report, string name) => report.Rows.Single(r => r.Name == name);

    private static void Near(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected} ± {relative:P3}, got {actual}");

    [Fact]
    public void AirlineA_Split067()
    {
        var report = ForecastBaselines.Evaluate(TimeSeriesCsvTests.Airline(), ForecastProtocol.Parse("split:0.67"), 12, arOrder: 13);
        Assert.Equal(48, report.Targets);
        Near(48.04, Row(report, "persistence").Rmse, 0.01);
        Near(41.85, Row(report, "seasonal-naive").Rmse, 0.01);
        Near(48.041215, Row(report, "persistence").Rmse, 1e-6);
        Near(40.041667, Row(report, "persistence").Mae, 1e-6);
        Near(41.853664, Row(report, "seasonal-naive").Rmse, 1e-6);
        Near(36.979167, Row(report, "seasonal-naive").Mae, 1e-6);
        Near(14.257586, Row(report, "ar").Rmse, 1e-5);
        Near(10.574193, Row(report, "ar").Mae, 1e-5);
    }

    [Fact]
    public void AirlineB_Last12()
    {
        var report = ForecastBaselines.Evaluate(TimeSeriesCsvTests.Airline(), ForecastProtocol.Parse("last:12"), 12, arOrder: 13);
        Assert.Equal(12, report.Targets);
        Near(53.15, Row(report, "persistence").Rmse, 0.01);
        Near(50.71, Row(report, "seasonal-naive").Rmse, 0.01);
        Near(53.151513, Row(report, "persistence").Rmse, 1e-6);
        Near(50.708316, Row(report, "seasonal-naive").Rmse, 1e-6);
        Near(21.287723, Row(report, "ar").Rmse, 1e-5);
    }

    [Fact]
    public void Temperatures_From1990_Ar20()
    {
        var report = ForecastBaselines.Evaluate(TimeSeriesCsvTests.Temperatures(), ForecastProtocol.Parse("from:1990-01-01"), 365, arOrder: 20);
        Assert.Equal(365, report.Targets);
        Near(2.58, Row(report, "persistence").Rmse, 0.01);
        Near(2.27, Row(report, "ar").Rmse, 0.01);
        Near(2.582401, Row(report, "persistence").Rmse, 1e-6);
        Near(3.650761, Row(report, "seasonal-naive").Rmse, 1e-6);
        Near(2.266701, Row(report, "ar").Rmse, 1e-5);
        Near(1.743503, Row(report, "ar").Mae, 1e-5);
        Assert.Equal(20, Row(report, "ar").P);
    }

    [Fact]
    public void Sunspots_Split066_Ar24()
    {
        var report = ForecastBaselines.Evaluate(TimeSeriesCsvTests.Sunspots(), ForecastProtocol.Parse("split:0.66"), 12, arOrder: 24);
        Assert.Equal(959, report.Targets);
        Near(18.44, Row(report, "persistence").Rmse, 0.01);
        Near(16.81, Row(report, "ar").Rmse, 0.01);
        Near(18.438660, Row(report, "persistence").Rmse, 1e-6);
        Near(16.813002, Row(report, "ar").Rmse, 1e-5);
        Near(12.207027, Row(report, "ar").Mae, 1e-5);
    }

    [Fact]
    public void Ar_Coefficients_MatchStatsmodels()
    {
        var temp = TimeSeriesCsvTests.Temperatures();
        var split = ForecastProtocol.Parse("from:1990-01-01").Resolve(temp);
        var ar = new AutoRegression(20);
        ar.Fit(split.Train(temp.Values));
        Assert.Equal(0.6328239694, ar.Intercept, 7);
        Assert.Equal(0.5878664966, ar.Coefficients[0], 8);
        Assert.Equal(0.0376197531, ar.Coefficients[19], 8);
    }

    [Theory]
    [InlineData("temperatures", "from:1990-01-01", 20)]
    [InlineData("sunspots", "split:0.66", 24)]
    [InlineData("airline", "split:0.67", 23)]
    [InlineData("airline", "last:12", 23)]
    public void Aic_ChoosesTheOrderStatsmodelsChooses(string data, string protocol, int expected)
    {
        var series = data switch
        {
            "temperatures" => TimeSeriesCsvTests.Temperatures(),
            "sunspots" => TimeSeriesCsvTests.Sunspots(),
            _ => TimeSeriesCsvTests.Airline(),
        };
        var split = ForecastProtocol.Parse(protocol).Resolve(series);
        var (order, aic) = AutoRegression.SelectOrderByAic(split.Train(series.Values), 24);
        Assert.Equal(expected, order);
        Assert.Equal(24, aic.Length);
        Assert.Equal(aic.Min(), aic[order - 1]);
    }

    [Fact]
    public void Ar_NoiseFreeAr2_RecoversItsCoefficients()
    {
        // y_t = 1 + 0.5 y_{t−1} − 0.3 y_{t−2} from (1, 2): five values give three rows, an exact system for (c, φ_1, φ_2).
        var y = new double[5];
        y[0] = 1; y[1] = 2;
        for (int t = 2; t < y.Length; t++) y[t] = 1 + 0.5 * y[t - 1] - 0.3 * y[t - 2];
        var ar = new AutoRegression(2);
        ar.Fit(y);
        Assert.Equal(1, ar.Intercept, 10);
        Assert.Equal(0.5, ar.Coefficients[0], 10);
        Assert.Equal(-0.3, ar.Coefficients[1], 10);
        var exact = new double[] { 3, 1, 4 };
        var fitted = new AutoRegression(1);
        fitted.Fit(exact);
        // AR(1) on (3, 1, 4): rows (1 | 3) → 1 and (1 | 1) → 4, an exact system: φ = −1.5, c = 5.5.
        Assert.Equal(5.5, fitted.Intercept, 10);
        Assert.Equal(-1.5, fitted.Coefficients[0], 10);
        Assert.Equal(5.5 - 1.5 * 4, fitted.Forecast(exact), 10);
    }
}
