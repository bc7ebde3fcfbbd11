using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

// The forecasting entry points refuse null and out-of-range arguments by name, instead of a NullReferenceException,
// an OverflowException or an error about an empty path from deep inside.
public class ForecastingArgumentTests
{
    private static TimeSeries Series() => new("src", "y", ["2000-01", "2000-02", "2000-03", "2000-04"], [1.0, 2.0, 3.0, 4.0]);

    [Fact]
    public void NullArguments_AreNamed()
    {
        var split = ForecastProtocol.Parse("last:1").Resolve(Series());
        double[] values = [1, 2, 3, 4];
        Assert.Equal("reader", Assert.Throws<ArgumentNullException>(() => TimeSeriesCsv.Read((TextReader)null!, "src", "v")).ParamName);
        Assert.Equal("valueColumn", Assert.Throws<ArgumentNullException>(() => TimeSeriesCsv.Read(new StringReader("v\n1\n"), "src", null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => TimeSeriesCsv.Read((string)null!, "v")).ParamName);
        Assert.Equal("spec", Assert.Throws<ArgumentNullException>(() => ForecastProtocol.Parse(null!)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentNullException>(() => ForecastProtocol.Parse("last:1").Resolve(null!)).ParamName);
        Assert.Equal("spec", Assert.Throws<ArgumentNullException>(() => TransformedForecaster.ParsePipeline(null!)).ParamName);
        Assert.Equal("stages", Assert.Throws<ArgumentNullException>(() => new TransformPipeline(null!)).ParamName);
        Assert.Contains("stage 0 is null", Assert.Throws<ArgumentNullException>(() => new TransformPipeline([null!])).Message);
        Assert.Equal("protocol", Assert.Throws<ArgumentNullException>(() => ForecastBaselines.Evaluate(Series(), null!, 1)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => OneStepEvaluation.Forecasts(null!, values, split)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => OneStepEvaluation.Forecasts(new PersistenceForecaster(), null!, split)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => HorizonEvaluation.Score((IOneStepForecaster)null!, values, split, 2)).ParamName);
        Assert.Contains("date 1 is null", Assert.Throws<ArgumentNullException>(() => FutureForecast.NextDates(["2000-01", null!], 2)).Message);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => Series().WithValues(null!)).ParamName);
    }

    [Fact]
    public void NextDates_NegativeSteps_IsOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FutureForecast.NextDates(["2000-01"], -1));
        Assert.Equal("steps", e.ParamName);
    }

    [Fact]
    public void RecurrentForecasterOptions_AnUndefinedCellOrCalendar_IsOutOfRangeNamingIt()
    {
        string[] dates = [.. Series().Dates];
        var cell = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentForecasterOptions(Cell: (SeqLearn.Nn.RecurrentCell)9).Validate());
        Assert.Equal("Cell", cell.ParamName);
        var calendar = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentForecaster(new RecurrentForecasterOptions(Calendar: (CalendarFeatures)9), dates: dates));
        Assert.Equal("Calendar", calendar.ParamName);
        Assert.Contains("9 is not a CalendarFeatures", calendar.Message);
    }

    [Fact]
    public void RecurrentForecaster_InvalidOptions_NameTheOptionsParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 0)));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("RecurrentForecasterOptions: hidden size must be in [1, 4096], got 0.", e.Message);
    }

    [Fact]
    public void RefusedArguments_AreNamed()
    {
        double[] values = [1, 2, 3, 4];
        var tooShort = new ForecastSplit(1, 4);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => ForecastProtocol.Parse("from:1999-01").Resolve(Series())).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => ForecastProtocol.Parse("from:2000-02").Resolve(new("src", "y", ["2000-01", "1999"], [1.0, 2.0]))).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => ForecastProtocol.Parse("from:2000-02").Resolve(new("src", "y", ["2000-01", "x"], [1.0, 2.0]))).ParamName);
        Assert.Equal("split", Assert.Throws<ArgumentException>(() => OneStepEvaluation.Forecasts(new PersistenceForecaster(), values, new ForecastSplit(1, 3))).ParamName);
        Assert.Equal("split", Assert.Throws<ArgumentException>(() => OneStepEvaluation.Forecasts(new AutoRegression(2), values, tooShort)).ParamName);
        Assert.Equal("split", Assert.Throws<ArgumentException>(() => HorizonEvaluation.Forecasts(new RecursiveForecaster(new PersistenceForecaster(), 1), values, new ForecastSplit(1, 3))).ParamName);
        Assert.Equal("split", Assert.Throws<ArgumentException>(() => HorizonEvaluation.Forecasts(new RecursiveForecaster(new AutoRegression(2), 1), values, tooShort)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => LeastSquares.Solve([], [], 1, 0)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentException>(() => LeastSquares.Solve([1, 2], [1], 1, 2)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => LeastSquares.Solve([1, 2], [1, 2], 2, 2)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => LeastSquares.Solve([1, 2], [1], 2, 1)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => new AutoRegression(3).Fit(values)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => new DirectAutoRegression(3, 2).Fit(values)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 4, LookBack: 6, MaxSteps: 2, BatchSize: 4)).Fit(new double[8])).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => new WindowSet<float>([1], [1], 0, 1, 1)).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => new WindowSet<float>([1], [1], 1, 0, 1)).ParamName);
        Assert.Equal("horizon", Assert.Throws<ArgumentException>(() => new WindowSet<float>([1], [1], 1, 1, 0)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => new WindowSet<float>([1, 2, 3], [1], 2, 1, 1)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => new WindowSet<float>([1, 2], [1, 2], 2, 1, 1)).ParamName);
        var network = new RecurrentForecastNetwork<float>(SeqLearn.Nn.RecurrentCell.Gru, 2, 1, 2, 1, 1, false, new SeqLearn.Tensors.SeededRng(1));
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => network.Forward(new SeqLearn.Autograd.Var<float>(SeqLearn.Tensors.Tensor<float>.Zeros(1, 3, 1)), new SeqLearn.Nn.LayerContext())).ParamName);
        var windows = new WindowSet<float>([1, 2], [1], 2, 1, 1);
        Assert.Equal("valid", Assert.Throws<ArgumentException>(() => new WindowRegressionTask<float>(network, windows, new WindowSet<float>([1, 2, 3], [1], 3, 1, 1), 1, 1)).ParamName);
    }
}
