using SeqLearn.Training;

namespace SeqLearn.Tests.Forecasting;

public class RegressionMetricsTests
{
    // y = (1, 2, 3, 4), ŷ = (2, 2, 1, 8): errors (−1, 0, 2, −4).
    private static readonly double[] Actual = [1, 2, 3, 4];
    private static readonly double[] Predicted = [2, 2, 1, 8];

    [Fact]
    public void Rmse_HandComputed() => Assert.Equal(Math.Sqrt(21.0 / 4), RegressionMetrics.Rmse(Actual, Predicted), 12); // √((1 + 0 + 4 + 16) / 4)

    [Fact]
    public void Mae_HandComputed() => Assert.Equal(1.75, RegressionMetrics.Mae(Actual, Predicted), 12); // (1 + 0 + 2 + 4) / 4

    [Fact]
    public void Mape_HandComputed_InPercent() => Assert.Equal(100 * (1 + 0 + 2.0 / 3 + 1) / 4, RegressionMetrics.Mape(Actual, Predicted), 10);

    [Fact]
    public void BadInput_Throws()
    {
        Assert.Equal("predicted", Assert.Throws<ArgumentException>(() => RegressionMetrics.Rmse([1, 2], [1])).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentException>(() => RegressionMetrics.Mae([], [])).ParamName);
        Assert.Contains("is 0", Assert.Throws<ArgumentException>(() => RegressionMetrics.Mape([1, 0], [1, 1])).Message);
    }
}
