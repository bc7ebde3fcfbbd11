using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

public class ForecastProtocolTests
{
    [Fact]
    public void Resolve_ReferenceProtocols_GiveTheDocumentedCuts()
    {
        var air = TimeSeriesCsvTests.Airline();
        Assert.Equal(new ForecastSplit(96, 144), ForecastProtocol.Parse("split:0.67").Resolve(air)); // int(144 × 0.67)
        Assert.Equal(new ForecastSplit(132, 144), ForecastProtocol.Parse("last:12").Resolve(air));
        var temp = TimeSeriesCsvTests.Temperatures();
        var split = ForecastProtocol.Parse("from:1990-01-01").Resolve(temp);
        Assert.Equal((3285, 365), (split.TrainCount, split.TargetCount));
        Assert.Equal("1990-01-01", temp.Dates[split.TrainCount]);
        Assert.Equal("1989-12-31", temp.Dates[split.TrainCount - 1]);
        Assert.Equal(new ForecastSplit(1861, 2820), ForecastProtocol.Parse("split:0.66").Resolve(TimeSeriesCsvTests.Sunspots()));
        Assert.Equal(new[] { 132, 133, 134 }, new ForecastSplit(132, 135).TargetIndices());
    }

    [Fact]
    public void From_MonthlyDates_CountAsTheFirstOfTheMonth()
    {
        var air = TimeSeriesCsvTests.Airline();
        Assert.Equal(132, ForecastProtocol.Parse("from:1960-01-01").Resolve(air).TrainCount);
        Assert.Equal(133, ForecastProtocol.Parse("from:1960-01-02").Resolve(air).TrainCount);
    }

    [Theory]
    [InlineData("split")]
    [InlineData("split:1.5")]
    [InlineData("split:0")]
    [InlineData("last:0")]
    [InlineData("last:x")]
    [InlineData("from:1990-13-01")]
    [InlineData("first:3")]
    public void Parse_BadSpec_NamesIt(string spec)
    {
        var e = Assert.Throws<FormatException>(() => ForecastProtocol.Parse(spec));
        Assert.Contains($"'{spec}'", e.Message);
    }

    // A from: spec in the right shape but with no such date says which part is wrong.
    [Theory]
    [InlineData("from:1990-13-01", "'1990-13-01' is not a calendar date")]
    [InlineData("from:1990-02-30", "'1990-02-30' is not a calendar date")]
    [InlineData("from:01/02/1990", "'01/02/1990' is not a calendar date")]
    public void Parse_FromANonDate_SaysTheDateIsWrong(string spec, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => ForecastProtocol.Parse(spec)).Message);

    [Fact]
    public void Resolve_EmptyPart_Throws()
    {
        var air = TimeSeriesCsvTests.Airline();
        Assert.Contains("'last:144'", Assert.Throws<ArgumentException>(() => ForecastProtocol.Parse("last:144").Resolve(air)).Message);
        Assert.Contains("'from:1970-01-01'", Assert.Throws<ArgumentException>(() => ForecastProtocol.Parse("from:1970-01-01").Resolve(air)).Message);
    }
}
