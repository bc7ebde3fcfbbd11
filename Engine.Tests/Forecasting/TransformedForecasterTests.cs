using SeqLearn.Forecasting;

namespace SeqLearn.Tests.Forecasting;

/// <summary>AR through log and differencing, against the same model built by hand with statsmodels (scripts/forecast_baselines_statsmodels.py).</summary>
public class TransformedForecasterTests
{
    [Theory]
    [InlineData("split:0.67", "log,diff12", 2, 14.640744, 10.514981)]
    [InlineData("last:12", "log,diff12", 13, 18.713707, 14.342114)]
    [InlineData("split:0.67", "log,diff1,diff12", 1, 14.487520, 10.473696)]
    [InlineData("last:12", "log,diff1,diff12", 12, 19.169427, 14.398267)]
    public void Airline_ArOnLogSeasonalDifferences_MatchesStatsmodels(string protocol, string transform, int p, double rmse, double mae)
    {
        var pipeline = TransformedForecaster.ParsePipeline(transform);
        var report = ForecastBaselines.Evaluate(TimeSeriesCsvTests.Airline(), ForecastProtocol.Parse(protocol), 12, arTransform: pipeline);
        var ar = report.Rows.Single(r => r.Name == "ar");
        Assert.Equal(p, ar.P);
        Assert.Equal(pipeline.Name, ar.Transform);
        Assert.Equal(rmse, ar.Rmse, 5);
        Assert.Equal(mae, ar.Mae, 5);
    }

    [Fact]
    public void ChooseTransform_OffersLogOnlyForAPositiveSeries_ItsTargetsIncluded()
    {
        // On the airline data (A) the automatic choice is log → diff(12); with a zero among the target rows it cannot be,
        // since the forecasts read the true history through the transform.
        var air = TimeSeriesCsvTests.Airline();
        var protocol = ForecastProtocol.Parse("split:0.67");
        Assert.Contains(NeuralForecastEvaluation.ChooseTransform(air, protocol, 12).Stages, s => s is LogTransform);
        double[] values = [.. air.Values];
        values[140] = 0;
        var withZero = air with { Values = values };
        var chosen = NeuralForecastEvaluation.ChooseTransform(withZero, protocol, 12);
        Assert.DoesNotContain(chosen.Stages, s => s is LogTransform);
        var report = ForecastBaselines.Evaluate(withZero, protocol, 12, arTransform: chosen);   // runs through row 140
        Assert.Equal(48, report.Targets);
    }

    [Fact]
    public void ChooseTransform_ShortSeries_SkipsCandidatesWithTooFewRows_AndNamesTheRowsWhenNoneIsLeft()
    {
        // 10 rows, split:0.5: AR fits on the first 4 training rows; diff(1) leaves 3, too few for the AIC search, so none wins.
        double[] values = [5, 7, 6, 8, 7, 9, 8, 10, 9, 11];
        var series = new TimeSeries("short", "y", [.. Enumerable.Repeat("", values.Length)], values);
        Assert.Empty(NeuralForecastEvaluation.ChooseTransform(series, ForecastProtocol.Parse("split:0.5"), null).Stages);
        // With s = 1, log → diff(1) is offered (4·s ≤ 4) and skipped the same way.
        Assert.Empty(NeuralForecastEvaluation.ChooseTransform(series, ForecastProtocol.Parse("split:0.5"), 1).Stages);
        // 8 rows, split:0.5: 3 rows for the fits, too few for every candidate.
        var shorter = series with { Dates = [.. series.Dates.Take(8)], Values = values[..8] };
        var e = Assert.Throws<ArgumentException>(() => NeuralForecastEvaluation.ChooseTransform(shorter, ForecastProtocol.Parse("split:0.5"), null));
        Assert.StartsWith("NeuralForecastEvaluation.ChooseTransform: the AR fits that compare transforms use the first 80 % of the training rows, 3 of 4; at least 4 are needed", e.Message);
    }

    [Fact]
    public void ChooseTransform_ExactExponential_SkipsTheLogCandidateWhoseRowsAreConstant()
    {
        // y_t = 2^t: log → diff(2) leaves the constant 2·ln 2, on which no AR can be fitted; the choice is made among the others.
        double[] values = [.. Enumerable.Range(0, 60).Select(t => Math.Pow(2, t))];
        var series = new TimeSeries("exponential", "v", [.. Enumerable.Repeat("", values.Length)], values);
        var chosen = NeuralForecastEvaluation.ChooseTransform(series, ForecastProtocol.Parse("split:0.8"), 2);
        Assert.DoesNotContain(chosen.Stages, s => s is LogTransform);
    }

    [Fact]
    public void ChooseTransform_ConstantFittingRows_SaysNoCandidateAdmitsAnArFit()
    {
        // 90 constant rows, then 30 that vary: split:0.9 trains on 108, and the first 86 of them, which judge the candidates, are constant.
        double[] values = [.. Enumerable.Repeat(5.0, 90), .. Enumerable.Range(0, 30).Select(t => 5 + 0.1 * Math.Sin(t))];
        var series = new TimeSeries("c90", "y", [.. Enumerable.Repeat("", values.Length)], values);
        var e = Assert.Throws<ArgumentException>(() => NeuralForecastEvaluation.ChooseTransform(series, ForecastProtocol.Parse("split:0.9"), 12));
        Assert.Equal("NeuralForecastEvaluation.ChooseTransform: the AR fits that compare transforms use the first 80 % of the training rows, 86 of 108, and "
            + "after every candidate transform they admit no AR fit (they are constant, or follow an exact shorter recurrence): give the transform instead. (Parameter 'series')", e.Message);
        Assert.Equal("series", e.ParamName);
    }

    [Fact]
    public void Number_PrintsSmallValuesWithSignificantDigits_OthersWithFixedDecimals()
    {
        Assert.Equal("41.8480", ForecastReport.Number(41.848));
        Assert.Equal("0.0000", ForecastReport.Number(0));
        Assert.Equal("0.0123", ForecastReport.Number(0.0123));
        Assert.Equal("0.0009876", ForecastReport.Number(0.00098761));
        Assert.Equal("-7.912E-07", ForecastReport.Number(-7.9123e-7));
        Assert.Equal("0.05", ForecastReport.Number(0.05, 2));
        Assert.Equal("12.35", ForecastReport.Number(12.345, 2));
    }

    [Fact]
    public void ZeroInner_OnLogDiff12_IsTheSeasonalNaiveForecast()
    {
        // Inner model "ẑ = 0" undoes to ŷ_t = y_{t−12} · exp 0 = y_{t−12}: the seasonal naive forecast.
        var air = TimeSeriesCsvTests.Airline();
        var split = ForecastProtocol.Parse("split:0.67").Resolve(air);
        var model = new TransformedForecaster(TransformedForecaster.ParsePipeline("log,diff12"), new ZeroForecaster());
        double[] f = OneStepEvaluation.Forecasts(model, air.Values, split);
        for (int i = 0; i < f.Length; i++) Assert.Equal(air.Values[split.TrainCount + i - 12], f[i], 9);
    }

    [Theory]
    [InlineData("log,foo")]
    [InlineData("diff0")]
    [InlineData("diffx")]
    public void ParsePipeline_BadStage_NamesIt(string spec)
    {
        var e = Assert.Throws<FormatException>(() => TransformedForecaster.ParsePipeline(spec));
        Assert.Contains($"'{spec}'", e.Message);
    }

    private sealed class ZeroForecaster : IOneStepForecaster
    {
        public string Name => "zero";

        public int MinHistory => 0;

        public void Fit(ReadOnlySpan<double> train) { }

        public double Forecast(ReadOnlySpan<double> history) => 0;
    }
}
