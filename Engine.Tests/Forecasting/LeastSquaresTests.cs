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

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-13)]
    [InlineData(1e13)]
    public void ScaledColumns_SameFitInTheirUnits_TheRankTestDoesNotDependOnScale(double scale)
    {
        // y = 1 + 2 x₁ − x₂ + noise with a column of ones beside x₁, x₂ in units of `scale`: the coefficients of x scale by
        // 1 / scale; the rank test compares each |R_jj| with its own column's length, not with the column of ones.
        const int m = 20;
        var x = new double[m * 3];
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            double x1 = Math.Sin(i), x2 = Math.Cos(0.7 * i);
            (x[i * 3], x[i * 3 + 1], x[i * 3 + 2]) = (1, x1 * scale, x2 * scale);
            y[i] = 1 + 2 * x1 - x2 + 0.01 * Math.Sin(3.1 * i);
        }
        var (b, _) = LeastSquares.Solve(x, y, m, 3);
        var (b1, _) = LeastSquares.Solve([.. x.Select((v, i) => i % 3 == 0 ? v : v / scale)], y, m, 3);
        Assert.Equal(b1[0], b[0], 9);
        Assert.Equal(b1[1], b[1] * scale, 9);
        Assert.Equal(b1[2], b[2] * scale, 9);
    }

    [Fact]
    public void RankDeficient_Throws()
    {
        var e = Assert.Throws<RankDeficientException>(() => LeastSquares.Solve([1, 2, 2, 4, 3, 6], [1, 2, 3], 3, 2));
        Assert.Contains("rank", e.Message);
        Assert.Equal(1, e.Column);
    }

    [Fact]
    public void SizesWhoseProductOverflowsInt_AreCheckedInLong()
    {
        // 65,536 × 65,536 wraps to 0 in int: an empty X must still be refused as the wrong size.
        var e = Assert.Throws<ArgumentException>(() => LeastSquares.Solve([], new double[65536], 65536, 65536));
        Assert.Contains("X has 0 values for (65536, 65536)", e.Message);
    }
}
