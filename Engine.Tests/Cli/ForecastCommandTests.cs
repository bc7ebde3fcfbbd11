using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using SeqLearn.Cli;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Cli;

public class ForecastCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test") { ForecastCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(["forecast", .. args, .. (args.Contains("--model") ? Array.Empty<string>() : ["--model", "none"])]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string Data(string file) => SharedData.PathOf("data/timeseries/" + file);

    [Fact]
    public void Json_Temperatures_ThreeRowsOnTheSameTargets()
    {
        var (code, output, error) = Run("--csv", Data("daily-min-temperatures.csv"), "--value", "Temp", "--date", "Date", "--protocol", "from:1990-01-01", "--ar-order", "20", "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(365, doc.RootElement.GetProperty("targets").GetInt32());
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { "persistence", "seasonal-naive", "ar" }, rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(2.5824, rows[0].GetProperty("rmse").GetDouble(), 4);
        Assert.Equal(3.6508, rows[1].GetProperty("rmse").GetDouble(), 4); // season 365 inferred from the daily dates
        Assert.Equal(20, rows[2].GetProperty("p").GetInt32());
        Assert.Equal(2.2667, rows[2].GetProperty("rmse").GetDouble(), 4);
        Assert.False(rows[0].TryGetProperty("p", out _));
    }

    [Fact]
    public void Table_Airline_PrintsEveryBaselineAndTheAicOrder()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "1", "--date", "Month", "--protocol", "split:0.67");
        Assert.True(code == 0, error);
        Assert.Contains("48 one-step targets", output);
        Assert.Contains("persistence\t-\t48.0412\t40.0417", output);
        Assert.Contains("seasonal-naive\t-\t41.8537\t36.9792", output);
        Assert.Contains("ar\t23\t", output);
        Assert.Contains("season s = 12", output);
    }

    [Fact]
    public void ArTransform_IsReportedBesideTheArRow()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--ar-transform", "log,diff12", "--json");
        Assert.True(code == 0, error);
        Assert.Contains("{\"name\":\"ar\",\"p\":13,", output);
        Assert.Contains("\"transform\":\"log → diff(12)\"", output);
    }

    [Fact]
    public void Model_AddsOneRowOnTheSameTargets_WithItsRangeOverSeeds()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--model", "gru", "--seeds", "2", "--max-steps", "60", "--hidden", "8", "--json");
        Assert.True(code == 0, error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal(12, (int)json["targets"]!);
        var rows = json["rows"]!.AsArray();
        Assert.Equal(["persistence", "seasonal-naive", "ar", "gru", "gru-ensemble"], rows.Select(r => (string)r!["name"]!));
        var gru = rows[3]!;
        Assert.InRange((double)gru["rmse"]!, (double)gru["rmse_min"]!, (double)gru["rmse_max"]!);
        Assert.Equal("log → diff(12)", (string)gru["transform"]!);        // chosen on the training rows by an AR judge
        // The ensemble (mean of the seeds' forecasts) is no worse than the mean seed: RMSE is convex in the forecasts.
        Assert.True((double)rows[4]!["rmse"]! <= (double)gru["rmse"]! + 1e-9);
        Assert.Null(rows[4]!["rmse_min"]);
    }

    [Theory]
    [InlineData("--seeds", "0")]
    [InlineData("--look-back", "0")]
    [InlineData("--threads", "100000")]
    public void BadModelOption_OneLineError(string option, string value)
    {
        var (code, _, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--model", "lstm", option, value);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
    }

    [Theory]
    [InlineData("--ar-transform", "log,sqrt")]
    [InlineData("--protocol", "split:2")]
    [InlineData("--value", "Nope")]
    [InlineData("--season", "0")]
    [InlineData("--date", "")]
    public void BadInput_OneLineError_NonZeroExit(string option, string value)
    {
        var args = new Dictionary<string, string> { ["--csv"] = Data("airline-passengers.csv"), ["--value"] = "Passengers", ["--date"] = "Month", ["--protocol"] = "last:12" };
        if (value.Length == 0) args.Remove(option);
        else args[option] = value;
        var (code, _, error) = Run(args.SelectMany(kv => new[] { kv.Key, kv.Value }).ToArray());
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    // A straight line is fitted by AR(1) (the order search stops where the lags become dependent); a constant series has no
    // AR fit at all, which is one line saying so. 50 training rows: the search over AR(1 … 24) needs 2 · 24 + 1.
    [Fact]
    public void ExactlyRegularSeries_StraightLineForecasts_ConstantIsOneClearError()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-regular");
        string line = dir.Combine("line.csv"), constant = dir.Combine("constant.csv");
        File.WriteAllLines(line, ["t,v", .. Enumerable.Range(0, 60).Select(t => $"{t},{3 + 0.5 * t}")]);
        File.WriteAllLines(constant, ["t,v", .. Enumerable.Range(0, 60).Select(t => $"{t},7")]);
        var (code, output, error) = Run("--csv", line, "--value", "v", "--protocol", "last:10", "--season", "12");
        Assert.True(code == 0, error);
        Assert.Contains("AR order p = 1, chosen by AIC", output);
        var (code2, _, error2) = Run("--csv", constant, "--value", "v", "--protocol", "last:10", "--season", "12");
        Assert.Equal(1, code2);
        Assert.Single(error2.Trim().Split('\n'));
        Assert.StartsWith("error: AutoRegression: AR(1) cannot be fitted", error2);
        Assert.EndsWith("The AR row is fitted on the training rows of --protocol last:10.", error2.TrimEnd());
    }

    // y_t = 2^t is fitted exactly by AR(1) with φ = 2, and 1,100 recursive steps past 2^59 pass double's largest value at
    // step 965: the overflow is refused by the file line of the largest value, not printed as ∞.
    [Fact]
    public void Predict_ForecastThatOverflows_IsOneErrorNamingTheLineOfTheLargestValue()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-overflow");
        string path = dir.Combine("exponential.csv");
        File.WriteAllLines(path, ["t,v", .. Enumerable.Range(0, 60).Select(t => $"{t},{Math.Pow(2, t).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")]);
        var (code, output, error) = Run("--csv", path, "--value", "v", "--protocol", "split:0.8", "--season", "2", "--ar-order", "1", "--predict", "1100");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal($"error: {path}:61: the forecast 965 steps past the end is not a finite number: the computation overflowed; the largest value, " +
                     "5.764607523034235E+17 in column 'v', is on this line.", error.TrimEnd());
        var (code2, output2, error2) = Run("--csv", path, "--value", "v", "--protocol", "split:0.8", "--season", "2", "--ar-order", "1", "--predict", "10");
        Assert.True(code2 == 0, error2);
        Assert.Contains("590295810358705651712", output2);   // 2^69, the tenth step
    }

    // Values whose squares underflow (below about 1.5e-154) would give zero fits and RMSE 0 beside a non-zero MAE: refused by
    // the line of the largest. Small but ordinary values (1e-6) are scored and printed with significant digits, not as 0.0000.
    [Fact]
    public void TinyValues_AreRefused_SmallValuesArePrintedWithSignificantDigits()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-tiny");
        string Write(string name, double scale)
        {
            string path = dir.Combine(name);
            File.WriteAllLines(path, ["y", .. Enumerable.Range(0, 200).Select(t => (scale * (Math.Sin(0.9 * t) + 0.5 * Math.Sin(2.3 * t) + 0.3 * Math.Sin(5.1 * t))).ToString("R", System.Globalization.CultureInfo.InvariantCulture))]);
            return path;
        }
        string tiny = Write("tiny.csv", 1e-170), small = Write("small.csv", 1e-6);
        var (code, output, error) = Run("--csv", tiny, "--value", "y", "--protocol", "split:0.7", "--season", "12");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Matches(new Regex($@"^error: {Regex.Escape(tiny)}:\d+: the largest value, [0-9.E-]+ in column 'y', is too small to forecast: squares of values below 1E-150 underflow a double"), error);
        var (code2, output2, error2) = Run("--csv", small, "--value", "y", "--protocol", "split:0.7", "--season", "12", "--predict", "2");
        Assert.True(code2 == 0, error2);
        Assert.DoesNotContain("\t0.0000", output2);
        Assert.Matches(new Regex(@"\nar\t\d+\t\d\.\d+E-\d\d\t"), output2);
    }

    // A second difference of values near the magnitude bound can overflow although the values pass it: the error says the
    // AR model works through --ar-transform.
    [Fact]
    public void ArTransform_OverflowNearTheBound_NamesTheTransform()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-bound");
        string path = dir.Combine("bound.csv");
        double m = Math.Sqrt(double.MaxValue / (4 * 144));
        File.WriteAllLines(path, ["y", .. Enumerable.Range(0, 144).Select(t => (m * (t / 2 % 2 == 0 ? 1 : -1) * (0.9 + 0.01 * (t % 10))).ToString("R", System.Globalization.CultureInfo.InvariantCulture))]);
        var (code, _, error) = Run("--csv", path, "--value", "y", "--protocol", "split:0.7", "--season", "12", "--ar-transform", "diff1,diff1");
        Assert.Equal(1, code);
        Assert.EndsWith("(the AR model works through --ar-transform diff1,diff1, whose differences can be larger than the values).", error.TrimEnd());
    }

    [Fact]
    public void QuarterlyDates_SeasonFour_PredictsQuarters_AndFiveMonthStepsNeedASeason()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-quarterly");
        string quarterly = dir.Combine("q.csv"), five = dir.Combine("five.csv");
        File.WriteAllLines(quarterly, ["date,y", .. Enumerable.Range(0, 80).Select(i => $"{2000 + i / 4}-{3 * (i % 4) + 1:00},{100 + i + 5 * (i % 4) + 0.1 * (i * 7 % 5)}")]);
        var (code, output, error) = Run("--csv", quarterly, "--value", "y", "--date", "date", "--protocol", "last:8", "--predict", "2");
        Assert.True(code == 0, error);
        Assert.Contains("season s = 4", output);
        Assert.Contains("\n1\t2020-01\t", output);
        Assert.Contains("\n2\t2020-04\t", output);
        File.WriteAllLines(five, ["date,y", .. Enumerable.Range(0, 60).Select(i => $"{2000 + 5 * i / 12}-{5 * i % 12 + 1:00},{i % 7}")]);
        var (code2, _, error2) = Run("--csv", five, "--value", "y", "--date", "date", "--protocol", "last:8");
        Assert.Equal(1, code2);
        Assert.Equal($"error: give --season S (rows per seasonal cycle): the last two dates, '2024-03' at {five}:60 and '2024-08' at {five}:61, " +
                     "are a step that makes no whole number of rows a year.", error2.TrimEnd());
    }

    [Fact]
    public void Calendar_YearlyDates_AreRefusedBeforeAnythingIsFitted()
    {
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("forecast-yearly");
        string path = dir.Combine("yearly.csv");
        File.WriteAllLines(path, ["date,y", .. Enumerable.Range(0, 100).Select(i => $"{1900 + i},{10 + (i * 37 % 11) / 10.0}")]);
        var (code, _, error) = Run("--csv", path, "--value", "y", "--date", "date", "--protocol", "from:1990", "--season", "10",
            "--model", "lstm", "--hidden", "4", "--seeds", "1", "--calendar", "month", "--predict", "3");
        Assert.Equal(1, code);
        Assert.Equal("error: --calendar needs a date column (--date) with yyyy-MM or yyyy-MM-dd dates.", error.TrimEnd());
    }

    [Fact]
    public void Predict_PrintsNStepsWithTheFollowingMonths()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--ar-order", "13", "--predict", "14");
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd().Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("step\tdate\tar", StringComparison.Ordinal));
        Assert.True(header > 0, output);
        string[] rows = lines[(header + 1)..];
        Assert.Equal(14, rows.Length);
        Assert.StartsWith("1\t1961-01\t", rows[0]);
        Assert.StartsWith("12\t1961-12\t", rows[11]);
        Assert.StartsWith("14\t1962-02\t", rows[13]);
        // The AR(13) path refitted on all 144 months: positive, seasonal (July above November), not flat.
        double[] ar = [.. rows.Select(r => double.Parse(r.Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.All(ar, v => Assert.InRange(v, 300, 900));
        Assert.True(ar[6] > ar[10] + 50, string.Join(", ", ar));
    }

    [Fact]
    public void Predict_Json_AddsOneEntryPerStep_WithTheModelsMean()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--model", "gru", "--seeds", "2", "--max-steps", "20", "--hidden", "4", "--predict", "3", "--json");
        Assert.True(code == 0, error);
        var predict = System.Text.Json.Nodes.JsonNode.Parse(output)!["predict"]!.AsArray();
        Assert.Equal(["1961-01", "1961-02", "1961-03"], predict.Select(p => (string)p!["date"]!));
        Assert.All(predict, p => Assert.True(double.IsFinite((double)p!["model"]!) && double.IsFinite((double)p["ar"]!)));
    }

    [Fact]
    public void Predict_PastTheCalendarsLastDay_IsRefusedBeforeAnythingIsFitted()
    {
        string path = Data("airline-passengers.csv");
        var (code, output, error) = Run("--csv", path, "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--predict", "100000");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal($"error: --predict 100000: the dates after '1960-12' at {path}:145 would pass 9999-12-31; predict fewer steps.", error.TrimEnd());
    }

    [Fact]
    public void Predict_Negative_IsAnErrorNamingTheOption()
    {
        var (code, _, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--protocol", "last:12", "--season", "12", "--predict", "-1");
        Assert.Equal(1, code);
        Assert.Contains("--predict", error);
    }

    [Fact]
    public void Calendar_Month_TrainsOnValueAndSinCos_AndPredictsPastTheEnd()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--model", "lstm", "--calendar", "month", "--seeds", "1", "--max-steps", "20", "--hidden", "4", "--predict", "2", "--json");
        Assert.True(code == 0, error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal(["persistence", "seasonal-naive", "ar", "lstm", "lstm-ensemble"], json["rows"]!.AsArray().Select(r => (string)r!["name"]!));
        Assert.Equal(2, json["predict"]!.AsArray().Count);
    }

    [Fact]
    public void Calendar_WithoutDates_IsAnErrorNamingTheOption()
    {
        var (code, _, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--protocol", "last:12", "--season", "12",
            "--model", "lstm", "--calendar", "month");
        Assert.Equal(1, code);
        Assert.Contains("--calendar", error);
    }

    [Fact]
    public void Horizon_ScoresEveryModelHStepsAhead_OnTheSameFewerTargets()
    {
        var (code, output, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12",
            "--horizon", "3", "--model", "gru", "--seeds", "1", "--max-steps", "20", "--hidden", "4", "--json");
        Assert.True(code == 0, error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal(10, (int)json["targets"]!);                           // rows 134 … 143, each from the history up to t − 3
        Assert.Equal(3, (int)json["horizon"]!);
        var y = SeqLearn.Forecasting.TimeSeriesCsv.Read(Data("airline-passengers.csv"), "Passengers", "Month").Values;
        double persistence = Math.Sqrt(Enumerable.Range(134, 10).Average(t => (y[t] - y[t - 3]) * (y[t] - y[t - 3])));
        var rows = json["rows"]!.AsArray();
        Assert.Equal(persistence, (double)rows[0]!["rmse"]!, 9);
        Assert.Equal(["persistence", "seasonal-naive", "ar", "gru", "gru-ensemble"], rows.Select(r => (string)r!["name"]!));

        var (code2, output2, _) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--horizon", "3");
        Assert.Equal(0, code2);
        Assert.Contains("10 3-step-ahead targets", output2);
    }

    [Fact]
    public void Horizon_LongerThanTheTargets_IsAnErrorNamingTheOption()
    {
        var (code, _, error) = Run("--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--horizon", "13");
        Assert.Equal(1, code);
        Assert.Contains("--horizon must be in [1, 12]", error);
    }

    [Fact]
    public void Strategy_DirectHorizon3_OnAirline_RunsAndSaysWhichStrategy()
    {
        string[] common = ["--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "split:0.67", "--horizon", "3"];
        var (code, output, error) = Run([.. common, "--strategy", "direct", "--model", "gru", "--seeds", "1", "--max-steps", "20", "--hidden", "4"]);
        Assert.True(code == 0, error);
        Assert.Contains("46 3-step-ahead targets (direct strategy)", output);
        Assert.Contains("\ngru\t-\t", output);

        var (code2, json, error2) = Run([.. common, "--strategy", "direct", "--json"]);
        Assert.True(code2 == 0, error2);
        var o = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        Assert.Equal("direct", (string)o["strategy"]!);
        Assert.Equal(46, (int)o["targets"]!);
        var (_, recursive, _) = Run([.. common, "--json"]);
        var r = System.Text.Json.Nodes.JsonNode.Parse(recursive)!;
        Assert.Equal("recursive", (string)r["strategy"]!);                   // the default
        Assert.Equal((double)r["rows"]![0]!["rmse"]!, (double)o["rows"]![0]!["rmse"]!);   // persistence: the same under both
        Assert.NotEqual((double)r["rows"]![2]!["rmse"]!, (double)o["rows"]![2]!["rmse"]!); // AR: recursive vs one regression per lead

        var (bad, _, badError) = Run([.. common, "--strategy", "sideways"]);
        Assert.NotEqual(0, bad);
        Assert.Contains("sideways", badError);
    }

    [Fact]
    public void Predict_Direct_ForecastsEveryStepFromTheLastHistory()
    {
        string[] common = ["--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--ar-order", "13", "--predict", "4"];
        static double[] Ar(string output) => [.. output.TrimEnd().Split('\n').SkipWhile(l => !l.StartsWith("step\t", StringComparison.Ordinal)).Skip(1)
            .Select(r => double.Parse(r.Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture))];
        var (code, direct, error) = Run([.. common, "--strategy", "direct"]);
        Assert.True(code == 0, error);
        Assert.Contains("direct: all 4 steps from one history", direct);
        var (_, recursive, _) = Run(common);
        double[] d = Ar(direct), r = Ar(recursive);
        Assert.Equal(4, d.Length);
        Assert.Equal(r[0], d[0]);          // lead 0 of direct AR is the one-step AR
        Assert.NotEqual(r[3], d[3]);
    }

    /// <summary>
    /// --strategy's help says when it matters: not only for --horizon H &gt; 1 but also for --predict N &gt; 1 at
    /// --horizon 1 (<see cref="Predict_Direct_ForecastsEveryStepFromTheLastHistory"/>); with --horizon 1 and
    /// --predict 0 or 1 the two strategies print the same scores and forecasts, only the forecasts' heading differs.
    /// </summary>
    [Fact]
    public void StrategyHelp_NamesPredict_AndOnlyTheCasesWithoutEffect()
    {
        string help = ForecastCommand.Create().Options.Single(o => o.Name == "--strategy").Description!;
        Assert.Contains("--predict N", help);
        Assert.Contains("when --horizon is 1 and --predict is 0 or 1", help);

        string[] common = ["--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--ar-order", "13", "--predict", "1"];
        static string Numbers(string output) => string.Join('\n', output.Split('\n').Where(l => !l.StartsWith("forecasts past the end", StringComparison.Ordinal)));
        var (code, direct, error) = Run([.. common, "--strategy", "direct"]);
        Assert.True(code == 0, error);
        var (_, recursive, _) = Run(common);
        Assert.Equal(Numbers(recursive), Numbers(direct));
    }
}
