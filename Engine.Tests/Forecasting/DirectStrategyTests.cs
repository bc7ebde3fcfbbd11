using SeqLearn.Forecasting;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

/// <summary>The direct multi-step strategy without networks: windows with H targets, the inverse of a forecast path, direct AR.</summary>
public class DirectStrategyTests
{
    private static readonly double[] Z = [10, 11, 12, 13, 14, 15, 16];

    [Fact]
    public void Windows_HTargets_FollowTheTLastInputs()
    {
        // T = 2, H = 2, targets in [0, 7): t = 2 … 5, inputs (z_{t−2}, z_{t−1}), targets (z_t, z_{t+1}).
        var w = SeriesWindows.Build(Z, null, new WindowSpec(2, 2), 0, 7);
        Assert.Equal(new[] { 2, 3, 4, 5 }, w.TargetStart);
        Assert.Equal(new double[] { 10, 11, 11, 12, 12, 13, 13, 14 }, w.Inputs);
        Assert.Equal(new double[] { 12, 13, 13, 14, 14, 15, 15, 16 }, w.Targets);
        for (int b = 0; b < w.Count; b++)
            Assert.Equal(w.Inputs.AsSpan(b * 2, 2).ToArray(), SeriesWindows.Latest(Z.AsSpan(0, w.TargetStart[b]), null, new WindowSpec(2, 2)));
    }

    [Fact]
    public void InversePath_Diff1_IsTheLastLevelPlusTheCumulativeSum()
    {
        var p = new TransformPipeline(new DifferenceTransform(1)).Fit([5, 7, 4, 9]);
        // x̂_{t+h} = x_{t−1} + Σ_{j≤h} ẑ_{t+j}: 9 + 1 = 10, 10 − 2 = 8, 8 + 0.5 = 8.5.
        Assert.Equal(new[] { 10, 8, 8.5 }, p.InversePath([1, -2, 0.5], [5, 7, 4, 9]));
    }

    [Fact]
    public void InversePath_SeasonalDiff_ReadsTrueValuesThenItsOwnForecasts()
    {
        var p = new TransformPipeline(new DifferenceTransform(3)).Fit([1, 2, 3, 4, 5, 6]);
        // t = 6, s = 3: x̂_6 = 0.1 + x_3, x̂_7 = 0.2 + x_4, x̂_8 = 0.3 + x_5, then x̂_9 = 0.4 + x̂_6, x̂_10 = 0.5 + x̂_7.
        double[] x = p.InversePath([0.1, 0.2, 0.3, 0.4, 0.5], [1, 2, 3, 4, 5, 6]);
        double[] hand = [4.1, 5.2, 6.3, 4.1 + 0.4, 5.2 + 0.5];
        for (int h = 0; h < 5; h++) Assert.Equal(hand[h], x[h], 12);
    }

    [Fact]
    public void InversePath_LogDiffStandard_IsTheLastLevelTimesExpOfTheUnscaledSum()
    {
        double[] history = [100, 110, 99, 120, 130];
        var p = TransformedForecaster.ParsePipeline("log,diff1,standard").Fit(history);
        var scaler = (StandardScaler)p.Stages[2];
        double a = scaler.Offset, b = scaler.Scale;
        double[] z = [0.3, -1.2, 0.7, 2.0];
        double[] x = p.InversePath(z, history);
        // x̂_{t+h} = x_{t−1} · exp(Σ_{j≤h} (a + b ẑ_{t+j})).
        double sum = 0;
        for (int h = 0; h < z.Length; h++)
        {
            sum += a + b * z[h];
            Assert.Equal(130 * Math.Exp(sum), x[h], 9);
        }
    }

    [Theory]
    [MemberData(nameof(TransformTests.Pipelines), MemberType = typeof(TransformTests))]
    public void InversePath_OfTheTrueTransformedFuture_IsTheTrueFuture(string spec)
    {
        var rng = new SeededRng(3);
        double[] x = [.. Enumerable.Range(0, 60).Select(_ => 0.5 + 100 * rng.NextDouble())];
        var pipeline = TransformedForecaster.ParsePipeline(spec).FitOnTrain(x, new ForecastSplit(40, 60));
        double[] z = pipeline.Forward(x);
        const int H = 15;
        for (int t = 40; t + H <= 60; t++)
        {
            double[] back = pipeline.InversePath(z.AsSpan(t - pipeline.Lag, H), x.AsSpan(0, t));
            for (int h = 0; h < H; h++) Assert.Equal(x[t + h], back[h], 9);
            // One step of the path is InverseStep, bit for bit.
            Assert.Equal(pipeline.InverseStep(z[t - pipeline.Lag], x.AsSpan(0, t)), back[0]);
        }
    }

    [Fact]
    public void DirectAr_LeadZero_IsTheOneStepAr_AndLeadOneIsTheHandRegression()
    {
        var rng = new SeededRng(5);
        double[] y = new double[50];
        for (int t = 1; t < y.Length; t++) y[t] = 0.6 * y[t - 1] + rng.NextDouble() - 0.5;
        var ar = new AutoRegression(1);
        ar.Fit(y);
        var direct = new DirectAutoRegression(1, 2);
        direct.Fit(y);
        Assert.Equal([ar.Intercept, .. ar.Coefficients], direct.Coefficients[0]);
        // Lead 1: y_{t+1} on y_{t−1} over t = 1 … n − 2, a simple regression: φ = cov / var, c = ȳ − φ x̄.
        double[] u = y[..^2], v = y[2..];
        double ub = u.Average(), vb = v.Average();
        double phi = u.Zip(v).Sum(q => (q.First - ub) * (q.Second - vb)) / u.Sum(q => (q - ub) * (q - ub));
        Assert.Equal(phi, direct.Coefficients[1][1], 9);
        Assert.Equal(vb - phi * ub, direct.Coefficients[1][0], 9);
        Assert.Equal(direct.Coefficients[1][0] + phi * y[^1], direct.ForecastPath(y)[1], 9);
    }

    [Fact]
    public void DirectAr_OnAnExactAr1_ForecastsHStepsAheadExactly()
    {
        // y_t = 5 + 3·0.8^t = 1 + 0.8 y_{t−1}: every lead h is exactly linear in y_{t−1}, y_{t+h} = 5 + 0.8^{h+1} (y_{t−1} − 5).
        double[] y = [.. Enumerable.Range(0, 40).Select(t => 5 + 3 * Math.Pow(0.8, t))];
        var split = new ForecastSplit(25, 40);
        double[] f = HorizonEvaluation.Forecasts(new DirectAutoRegression(1, 4), y, split);
        Assert.Equal(12, f.Length);
        for (int i = 0; i < f.Length; i++) Assert.Equal(y[28 + i], f[i], 9);
    }

    [Fact]
    public void DirectAr_ReadsOnlyTheHistoryBeforeTheOrigin()
    {
        double[] y = [.. Enumerable.Range(0, 40).Select(t => Math.Sin(0.4 * t) + 0.05 * t)];
        var model = new DirectAutoRegression(3, 5);
        model.Fit(y.AsSpan(0, 30));
        double[] path = model.ForecastPath(y.AsSpan(0, 33));
        double[] changed = [.. y];
        for (int t = 33; t < 40; t++) changed[t] = 1e6;
        Assert.Equal(path, model.ForecastPath(changed.AsSpan(0, 33)));
        // Fitting uses the training rows only, and lead h needs its target inside them.
        Assert.Throws<ArgumentException>(() => new DirectAutoRegression(3, 5).Fit(y.AsSpan(0, 10)));
    }

    [Fact]
    public void Baselines_Direct_ChangesOnlyTheArRow()
    {
        double[] y = [.. Enumerable.Range(0, 80).Select(t => 10 + Math.Sin(0.5 * t) + 0.02 * t * Math.Cos(0.13 * t))];
        var series = new TimeSeries("synthetic", "y", [.. Enumerable.Repeat("", 80)], y);
        var protocol = ForecastProtocol.Parse("last:20");
        var recursive = ForecastBaselines.Evaluate(series, protocol, 12, 4, horizon: 3);
        var direct = ForecastBaselines.Evaluate(series, protocol, 12, 4, horizon: 3, strategy: ForecastStrategy.Direct);
        Assert.Equal(recursive.Rows[0], direct.Rows[0]);
        Assert.Equal(recursive.Rows[1], direct.Rows[1]);
        Assert.NotEqual(recursive.Rows[2].Rmse, direct.Rows[2].Rmse);
        Assert.Equal(ForecastStrategy.Direct, direct.Strategy);
        Assert.Contains("\"horizon\":3,\"strategy\":\"direct\"", direct.ToJson());
        Assert.Contains("18 3-step-ahead targets (direct strategy)", direct.ToTable());
        // At H = 1 the two strategies are the same one-step forecasts.
        Assert.Equal(ForecastBaselines.Evaluate(series, protocol, 12, 4).Rows,
            ForecastBaselines.Evaluate(series, protocol, 12, 4, strategy: ForecastStrategy.Direct).Rows);
    }
}
