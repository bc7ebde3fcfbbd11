using System.Text.RegularExpressions;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// <c>forecast</c> on the airline file with one line edited: the error names the file and the 1-based file line (the
/// header is line 1, a blank line counts) of the row at fault, whether the reader or a later check finds it.
/// </summary>
public sealed class ForecastInputCliTests : IDisposable
{
    private readonly TempDir _dir = new("cli-forecast-input");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> Cases => new()
    {
        // edits ("LINE=new text", ';'-separated; a new text may hold "\r\n" to add lines), options beyond --csv and --value, the error ({f}: the file)
        { "51=\"1953-13\",196", "--date Month --protocol last:12", "error: {f}:51: date '1953-13' in column 'Month' is not a date of the form yyyy, yyyy-MM or yyyy-MM-dd." },
        { "51=banana,196", "--date Month --protocol last:12", "error: {f}:51: date 'banana' in column 'Month' is not a date of the form" },
        { "51=,196", "--date Month --protocol last:12", "error: {f}:51: the date in column 'Month' is empty." },
        { "51=\"1953-13\",196", "--date Month --protocol from:1955-01 --season 12", "error: {f}:51: date '1953-13'" },
        { "", "--protocol from:1955-01 --season 12", "error: --protocol from:1955-01 cuts the series at a date: give --date (the date column)." },
        { "", "--protocol last:12", "error: give --season S (rows per seasonal cycle): without a date column (--date) the season cannot be inferred." },
        { "10=\"1949-09-01\",136", "--date Month --protocol last:12", "error: give --season S (rows per seasonal cycle): {f}:10 has date '1949-09-01' (day), but {f}:2 has '1949-01' (month)" },
        { "50=\"1953-01\",-5", "--date Month --protocol last:12 --ar-transform log", "error: {f}:50: value -5 in column 'Passengers' is not positive; --ar-transform log takes its logarithm." },
        { "2=\"1949-01\",112\r\n;50=\"1953-01\",-5", "--date Month --protocol last:12 --ar-transform log,diff12", "error: {f}:51: value -5 in column 'Passengers' is not positive; --ar-transform log,diff12" },
        { "50=\"1953-01\",0", "--date Month --protocol last:12 --model gru --seeds 1 --max-steps 1 --transform log", "error: {f}:50: value 0 in column 'Passengers' is not positive; --transform log takes its logarithm." },
        { "", "--date Month --protocol last:12 --ar-transform diff1,log", "error: {f}:5: --ar-transform diff1,log takes the logarithm of -3, this row's value after diff(1), which is not positive." },
        // values too large to forecast in doubles (docs/forecasting.md §1): refused before anything is fitted, not NaN scores
        { "50=\"1953-01\",1e300", "--date Month --protocol last:12", "error: {f}:50: value 1E+300 in column 'Passengers' is too large to forecast: squared errors summed over the 144 rows would overflow a double, so values must be at most 5.59E+152 in magnitude." },
        { "50=\"1953-01\",1e300", "--date Month --protocol last:12 --json", "error: {f}:50: value 1E+300 in column 'Passengers' is too large to forecast" },
        { "50=\"1953-01\",1e300", "--date Month --protocol last:12 --model gru --seeds 1 --max-steps 1", "error: {f}:50: value 1E+300 in column 'Passengers' is too large to forecast" },
        { "2=\"1949-01\",112\r\n;50=\"1953-01\",-6e152", "--date Month --protocol last:12 --ar-transform log", "error: {f}:51: value -6E+152 in column 'Passengers' is too large to forecast" },
        // a protocol that leaves no training or no target rows names the protocol and the file
        { "", "--date Month --protocol from:1940-01 --season 12", "error: forecast protocol 'from:1940-01' on {f} (144 rows) leaves 0 training and 144 target rows; both must be at least 1." },
        { "", "--date Month --protocol from:1970-01 --season 12", "error: forecast protocol 'from:1970-01' on {f} (144 rows) leaves 144 training and 0 target rows; both must be at least 1." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadRow_ErrorNamesFileLine(string edits, string options, string expected)
    {
        string path = _dir.Combine($"air-{Guid.NewGuid():N}.csv");
        string[] lines = File.ReadAllText(SharedData.PathOf("data/timeseries/airline-passengers.csv")).Split("\r\n");
        foreach (string edit in edits.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = edit.IndexOf('=');
            lines[int.Parse(edit[..eq]) - 1] = edit[(eq + 1)..];
        }
        File.WriteAllText(path, string.Join("\r\n", lines));
        var r = Run(["forecast", "--csv", path, "--value", "Passengers", .. options.Split(' '), .. options.Contains("--model") ? Array.Empty<string>() : ["--model", "none"]]);
        Assert.Equal("", r.Output);
        string line = AssertOneErrorLine(r, expected.Replace("{f}", path));
        Assert.DoesNotMatch(new Regex(@"\brow \d"), line);
    }

    [Fact]
    public void ConstantSeries_WithTransformAuto_NamesTheOptionThatChoseTheTransform()
    {
        string path = _dir.Combine("constant.csv");
        File.WriteAllLines(path, ["Month,Passengers", .. Enumerable.Range(0, 144).Select(i => $"{1949 + i / 12}-{i % 12 + 1:00},5")]);
        var r = Run(["forecast", "--csv", path, "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--model", "gru", "--seeds", "1", "--max-steps", "1"]);
        AssertOneErrorLine(r, "error: --transform auto (the default): the AR fits that compare transforms use the first 80 % of the training rows, 105 of 132, "
                              + "and after every candidate transform they admit no AR fit (they are constant, or follow an exact shorter recurrence): give the transform instead.");
    }

    // Just inside the bound the series is forecast (the AR row's errors are huge but finite).
    [Fact]
    public void ValueAtTheBound_IsForecast()
    {
        string path = _dir.Combine("air-bound.csv");
        string[] lines = File.ReadAllText(SharedData.PathOf("data/timeseries/airline-passengers.csv")).Split("\r\n");
        lines[49] = "\"1953-01\",-5.5e152";
        File.WriteAllText(path, string.Join("\r\n", lines));
        var r = Run("forecast", "--csv", path, "--value", "Passengers", "--date", "Month", "--protocol", "last:12", "--model", "none", "--json");
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("\"name\":\"ar\"", r.Output);
    }
}
