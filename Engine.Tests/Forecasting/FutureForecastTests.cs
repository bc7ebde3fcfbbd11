using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

public class FutureForecastTests
{
    [Fact]
    public void Recursive_FeedsEachForecastBack()
    {
        // y_t = 2 y_{t−1} exactly: AR(1) fits φ = 2, c = 0, so the path keeps doubling from the last value.
        double[] y = [1, 2, 4, 8, 16, 32, 64, 128];
        var ar = new AutoRegression(1);
        ar.Fit(y);
        double[] path = FutureForecast.Recursive(ar, y, 3);
        Assert.Equal(256, path[0], 6);
        Assert.Equal(512, path[1], 6);
        Assert.Equal(1024, path[2], 6);
    }

    [Fact]
    public void Recursive_SeasonalNaive_RepeatsTheLastSeasonAndThenItsOwnForecasts()
    {
        double[] y = [1, 2, 3, 10, 20, 30];
        var model = new SeasonalNaiveForecaster(3);
        model.Fit(y);
        Assert.Equal([10, 20, 30, 10, 20, 30, 10], FutureForecast.Recursive(model, y, 7));
    }

    [Fact]
    public void Recursive_TooLittleHistoryOrNoSteps_Throws()
    {
        var model = new SeasonalNaiveForecaster(12);
        Assert.Throws<ArgumentException>(() => FutureForecast.Recursive(model, new double[5], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FutureForecast.Recursive(model, new double[12], 0));
    }

    [Theory]
    [InlineData("1960-11", "1960-12,1961-01,1961-02")]
    [InlineData("1988-12-30", "1988-12-31,1989-01-01,1989-01-02")]
    [InlineData("1984-02-28", "1984-02-29,1984-03-01,1984-03-02")]        // leap year
    [InlineData("", ",,")]
    [InlineData("week 3", ",,")]
    public void NextDates_MonthsOrDaysInTheSameFormat(string last, string expected)
    {
        Assert.Equal(expected.Split(','), FutureForecast.NextDates(["x", last], 3));
    }

    // NextDates promises the file's format. TryParseDate accepts yyyy/MM and yyyy/MM/dd, but the continuation of such a
    // file came out as yyyy-MM / yyyy-MM-dd.
    [Fact]
    public void NextDates_SlashDates_KeepTheSlashFormat()
    {
        Assert.Equal(["1961/01", "1961/02"], FutureForecast.NextDates(["1960/11", "1960/12"], 2));
        Assert.Equal(["1991/01/01", "1991/01/02"], FutureForecast.NextDates(["1990/12/30", "1990/12/31"], 2));
    }

    // Monthly data written with full dates (yyyy-MM-01, a common layout) was continued one day at a time: the rows after
    // 1960-12-01 were labelled 1960-12-02, 1960-12-03, … (and with --calendar the network read those wrong dates' angles).
    // The continuation follows the spacing of the last two rows: a calendar month apart steps by months.
    [Fact]
    public void NextDates_MonthlyFullDates_StepByMonths()
    {
        Assert.Equal(["1961-01-01", "1961-02-01", "1961-03-01"], FutureForecast.NextDates(["1960-11-01", "1960-12-01"], 3));
        Assert.Equal(["1990-03-31", "1990-04-30"], FutureForecast.NextDates(["1990-01-31", "1990-02-28"], 2)); // month ends
        Assert.Equal(["1991-01-01", "1991-01-02"], FutureForecast.NextDates(["1990-12-30", "1990-12-31"], 2)); // daily stays daily
        Assert.Equal(["1990-03-02", "1990-03-03"], FutureForecast.NextDates(["1990-02-28", "1990-03-01"], 2)); // across a month end
    }

    // Quarterly and weekly files were continued one month or one day a step (2019-10 → 2019-11), and --calendar fed those
    // dates to the network. The step is the last two rows' spacing, and so is the inferred season.
    [Fact]
    public void NextDates_AndInferSeason_FollowQuarterlyAndWeeklySpacing()
    {
        Assert.Equal(["2020-01", "2020-04", "2020-07"], FutureForecast.NextDates(["2019-07", "2019-10"], 3));
        Assert.Equal(["2020-01-01", "2020-04-01"], FutureForecast.NextDates(["2019-07-01", "2019-10-01"], 2));
        Assert.Equal(["2020-03-31", "2020-06-30"], FutureForecast.NextDates(["2019-09-30", "2019-12-31"], 2));   // quarter ends
        Assert.Equal(["2020-01-06", "2020-01-13"], FutureForecast.NextDates(["2019-12-23", "2019-12-30"], 2));   // weekly
        TimeSeries Dated(params string[] dates) => new("d", "v", dates, new double[dates.Length]);
        Assert.Equal(12, ForecastBaselines.InferSeason(Dated("1960-11", "1960-12")));
        Assert.Equal(4, ForecastBaselines.InferSeason(Dated("2019-07", "2019-10")));
        Assert.Equal(12, ForecastBaselines.InferSeason(Dated("1960-11-01", "1960-12-01")));
        Assert.Equal(52, ForecastBaselines.InferSeason(Dated("2019-12-23", "2019-12-30")));
        Assert.Equal(365, ForecastBaselines.InferSeason(Dated("1990-12-30", "1990-12-31")));
        Assert.Null(ForecastBaselines.InferSeason(Dated("2019-01", "2019-06")));   // five months: no whole number a year
        Assert.Null(ForecastBaselines.InferSeason(Dated("2018", "2019")));
        Assert.Null(ForecastBaselines.InferSeason(Dated("2019-12-16", "2019-12-30")));  // fourteen days: 26.07 rows a year
        Assert.Null(ForecastBaselines.InferSeason(Dated("2019-12-27", "2019-12-30")));  // three days
        // Past the calendar's last day a date is empty, not an exception.
        Assert.Equal(["9999-12", "", ""], FutureForecast.NextDates(["9999-10", "9999-11"], 3));
        Assert.Equal(["", ""], FutureForecast.NextDates(["9999-12-24", "9999-12-31"], 2));   // weekly
        Assert.Equal(["9999-12-31", ""], FutureForecast.NextDates(["9999-12-29", "9999-12-30"], 2));
        Assert.Equal(["", ""], FutureForecast.NextDates(["9999-12-30", "9999-12-31"], 2));
    }
}
