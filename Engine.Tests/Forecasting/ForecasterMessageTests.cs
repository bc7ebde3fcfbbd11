using SeqLearn.Forecasting;
using SeqLearn.Kernels;

namespace SeqLearn.Tests.Forecasting;

public class ForecasterMessageTests
{
    private static double[] Sine(int n) => [.. Enumerable.Range(0, n).Select(t => Math.Sin(t / 3.0))];

    [Fact]
    public void RecurrentForecaster_ShortHistory_NamesItselfAndTheLookBack()
    {
        using var pool = new WorkerPool(1);
        var model = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 2, BatchSize: 4), pool);
        model.Fit(Sine(40));
        var e = Assert.Throws<ArgumentException>(() => model.Forecast(Sine(3)));
        Assert.StartsWith("RecurrentForecaster: a forecast needs the last 6 values (the look-back), got 3.", e.Message);
        Assert.Equal("history", e.ParamName);
    }

    [Fact]
    public void RecurrentForecaster_WindowsPastOneArray_AreRefusedBeforeAnythingIsBuilt()
    {
        // Look-back 50,000 over 100,000 values: 50,000 windows × 50,000 steps = 2.5·10⁹ input values.
        var model = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 1, LookBack: 50_000, MaxSteps: 1, BatchSize: 1));
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new double[100_000]));
        Assert.StartsWith("SeriesWindows.Build: the inputs B·T·F = 50000·50000·1 = 2500000000 values", e.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "∞")]
    [InlineData(1e39, "1E+39")]
    public void RecurrentForecaster_NonFiniteOrBeyondFloat_IsRefusedWithItsRow(double bad, string shown)
    {
        // The network computes in float: NaN, ±∞ and values past ±3.4·10³⁸ would only show up as a diverged loss.
        var model = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 2, BatchSize: 4));
        var train = Sine(40);
        train[17] = bad;
        var e = Assert.Throws<ArgumentException>(() => model.Fit(train));
        Assert.Equal($"RecurrentForecaster.Fit: training value at row 17 is {shown}; it needs finite values within ±3.4E+38. (Parameter 'train')",
            e.Message.Replace(double.PositiveInfinity.ToString(), "∞"));
        Assert.Equal("train", e.ParamName);
    }

    [Fact]
    public void RecurrentForecaster_NaNInTheWindow_IsRefusedWithItsRow()
    {
        var model = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 2, BatchSize: 4));
        model.Fit(Sine(40));
        var history = Sine(50);
        history[46] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.Forecast(history));
        Assert.StartsWith("RecurrentForecaster: history value at row 46 is NaN", e.Message);
        history[46] = 0;
        history[40] = double.NaN;                                        // outside the last 6 values: not read
        Assert.True(double.IsFinite(model.Forecast(history)));
    }

    [Fact]
    public void Scalers_NonFiniteTrainingValue_IsRefusedWithItsRow()
    {
        foreach (AffineScaler scaler in new AffineScaler[] { new StandardScaler(), new MinMaxScaler() })
        {
            var e = Assert.Throws<ArgumentException>(() => scaler.Fit([1, 2, double.NaN, 4]));
            Assert.StartsWith($"{scaler.GetType().Name}.Fit: training value at row 2 is NaN; it needs finite values.", e.Message);
        }
    }

    [Fact]
    public void TransformedForecaster_ShortHistory_CountsTransformAndModel()
    {
        var model = new TransformedForecaster(new TransformPipeline(new DifferenceTransform(4)), new AutoRegression(2));
        model.Fit(Sine(40));
        Assert.Equal(6, model.MinHistory);
        var e = Assert.Throws<ArgumentException>(() => model.Forecast(Sine(5)));
        Assert.Contains("needs 6 history values (4 for the transform, 2 for the model), got 5", e.Message);
        Assert.Equal(model.Forecast(Sine(6)), model.Forecast(Sine(6)));
    }

    [Fact]
    public void TransformedForecaster_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new TransformedForecaster(null!, new AutoRegression(1)));
        Assert.Throws<ArgumentNullException>(() => new TransformedForecaster(new TransformPipeline(), null!));
    }

    [Theory]
    [InlineData("log,diff12,standard")]
    [InlineData("log,diff(12),standard")]
    public void ParsePipeline_ReadsTheNameItPrints(string spec)
    {
        var pipeline = TransformedForecaster.ParsePipeline(spec);
        Assert.Equal("log → diff(12) → standard", pipeline.Name);
        Assert.Equal(pipeline.Name, TransformedForecaster.ParsePipeline(pipeline.Name.Replace(" → ", ",")).Name);
    }

    [Theory]
    [InlineData("diff(0)")]
    [InlineData("diff(12")]
    [InlineData("diff()")]
    public void ParsePipeline_BadParenthesisedLag_IsAFormatError(string spec) =>
        Assert.Throws<FormatException>(() => TransformedForecaster.ParsePipeline(spec));

    [Fact]
    public void NaiveForecasters_HistoryShorterThanNeeded_ThrowNamingHistory()
    {
        var seasonal = new SeasonalNaiveForecaster(12);
        seasonal.Fit(new double[24]);
        var e = Assert.Throws<ArgumentException>(() => seasonal.Forecast(new double[3]));
        Assert.Equal("history", e.ParamName);
        Assert.Contains("SeasonalNaiveForecaster: season 12 needs 12 history values, got 3", e.Message);
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => new PersistenceForecaster().Forecast(ReadOnlySpan<double>.Empty)).ParamName);
    }

    [Fact]
    public void AutoRegression_HugeOrder_SaysHowManyValuesItNeeds()
    {
        var e = Assert.Throws<ArgumentException>(() => new AutoRegression(int.MaxValue).Fit(Sine(50)));
        Assert.Contains($"needs more than {2L * int.MaxValue} training values, got 50", e.Message);
    }

    [Fact]
    public void AutoRegression_NonFiniteTrainingValue_ThrowsNamingTheIndex()
    {
        double[] y = Sine(50);
        y[17] = double.NaN;
        Assert.Contains("AutoRegression: training value at row 17 is NaN; it needs finite values.", Assert.Throws<ArgumentException>(() => new AutoRegression(2).Fit(y)).Message);
        y[17] = double.PositiveInfinity;
        Assert.Contains("training value at row 17 is ", Assert.Throws<ArgumentException>(() => new AutoRegression(2).Fit(y)).Message);
    }

    [Fact]
    public void ForecastSplit_TrainCountOutsideTheSeries_Throws()
    {
        Assert.Equal("TrainCount", Assert.Throws<ArgumentOutOfRangeException>(() => new ForecastSplit(-1, 5)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ForecastSplit(6, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ForecastSplit(3, 5) with { Count = 2 });
        Assert.Equal(2, new ForecastSplit(3, 5).TargetCount);
    }

    [Fact]
    public void TimeSeries_NullOrMismatchedParts_Throw()
    {
        double[] v = [1, 2, 3];
        Assert.Equal("Dates", Assert.Throws<ArgumentNullException>(() => new TimeSeries("src", "y", null!, v)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new TimeSeries("src", "y", ["2020"], v));
        Assert.Equal("Dates", e.ParamName);
        Assert.Contains("1 dates for 3 values", e.Message);
        Assert.Equal("Values", Assert.Throws<ArgumentNullException>(() => new TimeSeries("src", "y", ["", "", ""], null!)).ParamName);
        Assert.Equal("Source", Assert.Throws<ArgumentNullException>(() => new TimeSeries(null!, "y", ["", "", ""], v)).ParamName);
        Assert.Equal("Dates", Assert.Throws<ArgumentException>(() => new TimeSeries("src", "y", ["", null!, ""], v)).ParamName);
        Assert.Equal(3, new TimeSeries("src", "y", ["", "", ""], v).WithValues([4, 5, 6]).Count);
    }

    public static TheoryData<RecurrentForecasterOptions, string, string> InvalidOptions() => new()
    {
        { new(Hidden: 0), "Hidden", "hidden size must be in [1, 4096], got 0." },
        { new(Layers: 17), "Layers", "layers must be in [1, 16], got 17." },
        { new(LookBack: 0), "LookBack", "look-back must be in [1, 100000], got 0." },
        { new(ValidFraction: 1), "ValidFraction", "the validation fraction must be in (0, 1), got 1." },
        { new(Horizon: 100_001), "Horizon", "horizon must be in [1, 100000], got 100001." },
        { new(BatchSize: 0), "BatchSize", "batch size and steps must be ≥ 1, got 0 and 2000." },
        { new(MaxSteps: 0), "MaxSteps", "batch size and steps must be ≥ 1, got 32 and 0." },
        { new(LearningRate: double.NaN), "LearningRate", "learning rate must be a positive number, got NaN." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void RecurrentForecasterOptions_InvalidSetting_IsNamedAsTheParameter(RecurrentForecasterOptions options, string setting, string message)
    {
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(setting, e.ParamName);
        Assert.StartsWith("RecurrentForecasterOptions: " + message, e.Message);
    }
}
