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
}
