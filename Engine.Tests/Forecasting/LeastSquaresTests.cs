using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

public class LeastSquaresTests
{
    [Fact]
    public void Line_HandComputed()
    {
        // Points (0, 1), (1, 2), (2, 4): slope Sxy / Sxx = 3 / 2, intercept ȳ − 1.5 x̄ = 7/3 − 3/2 = 5/6,
        // residuals (1/6, −1/3, 1/6), RSS = 1/36 + 4/36 + 1/36 = 1/6.
        var (b, rss) = LeastSquares.Solve([1, 0, 1, 1, 1, 2], [1, 2, 4], 3, 2);
        Assert.Equal(5.0 / 6, b[0], 12);
        Assert.Equal(1.5, b[1], 12);
        Assert.Equal(1.0 / 6, rss, 12);
    }

    [Fact]
    public void ExactSystem_IsSolved()
    {
        // 2a + b = 5, a − 3b = −8  →  a = 1, b = 3.
        var (b, rss) = LeastSquares.Solve([2, 1, 1, -3], [5, -8], 2, 2);
        Assert.Equal(1, b[0], 12);
        Assert.Equal(3, b[1], 12);
        Assert.Equal(0, rss, 12);
    }

    [Fact]
    public void RankDeficient_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => LeastSquares.Solve([1, 2, 2, 4, 3, 6], [1, 2, 3], 3, 2));
        Assert.Contains("rank", e.Message);
    }
}
