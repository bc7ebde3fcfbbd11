using SeqLearn.Autograd;
using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

/// <summary>The direct strategy of the recurrent forecaster: H outputs, one MSE over them, the path through a transform.</summary>
public class DirectRecurrentForecasterTests
{
    private static readonly double[] Wave = [.. Enumerable.Range(0, 90).Select(i => Math.Round(20 + 5 * Math.Sin(i * 0.45) + 0.1 * i, 4))];

    private static TimeSeries Series => new("wave", "y", [.. Enumerable.Repeat("", Wave.Length)], Wave);

    private static RecurrentForecasterOptions Tiny(int horizon = 1) => new(RecurrentCell.Gru, Hidden: 4, LookBack: 6, MaxSteps: 25, BatchSize: 8, Horizon: horizon);

    [Fact]
    public void Network_WithHOutputs_MapsBTFToBH()
    {
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 4, 1, 3, 1, 5, linearPath: true, new SeededRng(2));
        var x = Tensor<double>.Uniform([2, 4, 1], -1, 1, new SeededRng(3));
        Assert.Equal(new[] { 2, 5 }, net.Forward(new Var<double>(x), LayerContext.None).Value.Shape.ToArray());
    }

    [Fact]
    public void Task_WithHOutputs_IsOneMseOverEveryOutput()
    {
        // N = 5 windows (T = 4, F = 1), K = 3 targets: the loss is (1 / N·K) Σ (ŷ − y)², training batch and evaluation alike.
        var rng = new SeededRng(8);
        double[] x = [.. Enumerable.Range(0, 20).Select(_ => rng.NextDouble())], y = [.. Enumerable.Range(0, 15).Select(_ => rng.NextDouble())];
        var data = new WindowSet<double>(x, y, 4, 1, 3);
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Gru, 4, 1, 3, 1, 3, linearPath: false, new SeededRng(9));
        var task = new WindowRegressionTask<double>(net, data, null, batchSize: 5, seed: 1);
        double[] yhat = task.PredictAll(data, null);
        Assert.Equal(15, yhat.Length);
        double mse = yhat.Zip(y).Average(p => (p.First - p.Second) * (p.First - p.Second));
        using var pool = new WorkerPool(1);
        Assert.Equal(mse, task.Evaluate(pool)["loss"], 12);
        Assert.Equal(mse, task.TrainingLoss(0, 0, LayerContext.None).Loss.Value.Span[0], 12); // one shuffled batch of all 5
    }

    [Fact]
    public void Forecaster_WithHorizon3_ReturnsThreeOutputs_TheFirstBeingTheOneStepForecast()
    {
        using var pool = new WorkerPool(1);
        var model = new RecurrentForecaster(Tiny(3), pool);
        model.Fit(Wave.AsSpan(0, 70));
        double[] path = model.ForecastPath(Wave.AsSpan(0, 75));
        Assert.Equal(3, path.Length);
        Assert.All(path, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(path[0], model.Forecast(Wave.AsSpan(0, 75)));
        Assert.NotEqual(path[0], path[2]);
        // 70 values, T = 6, H = 3: windows t = 6 … 67.
        var tooShort = new RecurrentForecaster(Tiny(3), pool);
        var e = Assert.Throws<ArgumentException>(() => tooShort.Fit(Wave.AsSpan(0, 11)));
        Assert.Contains("horizon 3", e.Message);
    }

    [Fact]
    public void Forecaster_WithoutAPool_FitsAndForecastsAsOnAPool()
    {
        using var pool = new WorkerPool(2);
        var onPool = new RecurrentForecaster(Tiny(3), pool);
        var alone = new RecurrentForecaster(Tiny(3));                  // null pool: the calling thread
        onPool.Fit(Wave.AsSpan(0, 70));
        alone.Fit(Wave.AsSpan(0, 70));
        Assert.Equal(onPool.ForecastPath(Wave.AsSpan(0, 75)), alone.ForecastPath(Wave.AsSpan(0, 75)));
    }

    [Fact]
    public void Evaluate_Direct_IsBitIdenticalForOneAndTwoThreadsAndNoPool()
    {
        var protocol = ForecastProtocol.Parse("last:15");
        var transform = TransformedForecaster.ParsePipeline("diff1");
        NeuralForecastResult Run(int threads)
        {
            using var pool = threads == 0 ? null : new WorkerPool(threads);
            return NeuralForecastEvaluation.Evaluate(Series, protocol, Tiny(), transform, 2, pool, horizon: 4, strategy: ForecastStrategy.Direct);
        }
        var (one, two) = (Run(1), Run(2));
        Assert.Equal(one.EnsembleForecasts, Run(0).EnsembleForecasts); // null pool: the calling thread
        Assert.Equal(12, one.EnsembleForecasts.Length);
        Assert.Equal(one.EnsembleForecasts, two.EnsembleForecasts);
        Assert.Equal(one.Row, two.Row);
        Assert.All(one.Models, m => Assert.Equal(4, m.Horizon));
    }

    [Fact]
    public void Evaluate_DirectAtHorizon1_IsTheOneStepModel_AndDiffersFromRecursiveAtHorizon3()
    {
        var protocol = ForecastProtocol.Parse("last:15");
        var transform = TransformedForecaster.ParsePipeline("diff1");
        using var pool = new WorkerPool(1);
        double[] Forecasts(int h, ForecastStrategy s) => NeuralForecastEvaluation.Evaluate(Series, protocol, Tiny(), transform, 1, pool, h, s).EnsembleForecasts;
        Assert.Equal(Forecasts(1, ForecastStrategy.Recursive), Forecasts(1, ForecastStrategy.Direct));
        Assert.NotEqual(Forecasts(3, ForecastStrategy.Recursive), Forecasts(3, ForecastStrategy.Direct));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(0)]
    public void Evaluate_HorizonOutsideTheTargets_IsRefusedBeforeAnyFit(int horizon)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NeuralForecastEvaluation.Evaluate(Series, ForecastProtocol.Parse("last:15"), Tiny(),
            new TransformPipeline(), 1, null, horizon, ForecastStrategy.Direct));
        Assert.Equal("horizon", e.ParamName);
        Assert.StartsWith($"NeuralForecastEvaluation: horizon must be in [1, 15] (the target rows), got {horizon}.", e.Message);
    }

    [Fact]
    public void FitAll_NoSeeds_IsRefused_NotAnEmptyList()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NeuralForecastEvaluation.FitAll(Wave, Series.Dates, Tiny(), new TransformPipeline(), 0, null));
        Assert.Equal("seeds", e.ParamName);
        Assert.StartsWith("NeuralForecastEvaluation: seeds must be ≥ 1, got 0.", e.Message);
    }

    [Fact]
    public void Direct_ThroughDiff1_ForecastsHStepsAheadFromTheHistoryBeforeTheOrigin()
    {
        // Target t at H = 3 is output 2 of the path from origin t − 2, undone as y_{t−3} + ẑ_{t−2} + ẑ_{t−1} + ẑ_t.
        using var pool = new WorkerPool(1);
        var split = new ForecastSplit(75, 90);
        var network = new RecurrentForecaster(Tiny(3), pool);
        var model = new TransformedMultiStepForecaster(TransformedForecaster.ParsePipeline("diff1"), network);
        double[] f = HorizonEvaluation.Forecasts(model, Wave, split);
        Assert.Equal(13, f.Length);
        for (int i = 0; i < f.Length; i++)
        {
            int t = 77 + i;
            double[] dz = [.. Wave.AsSpan(0, t - 2).ToArray().Zip(Wave.Skip(1).Take(t - 3)).Select(p => p.Second - p.First)]; // z_i = y_{i+1} − y_i
            double[] zhat = network.ForecastPath(dz);
            Assert.Equal(Wave[t - 3] + zhat[0] + zhat[1] + zhat[2], f[i], 9);
        }
    }
}
