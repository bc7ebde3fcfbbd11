using SeqLearn.Forecasting;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// <see cref="TimeSeriesCsv.Read(string, string, string?)"/> under mutated CSV files: each input is a
/// <see cref="FormatException"/> naming the file and line (or saying there are no data rows), or valid UTF-8 giving
/// finite values, one date per value.
/// </summary>
public class TimeSeriesCsvFuzzTests(ITestOutputHelper output)
{
    // Seed files with the (value, date) columns each is read with: by header name or by index.
    private static readonly (string Value, string? Date)[] Columns = [("Passengers", "Month"), ("1", "0"), ("value", null)];

    internal static FuzzTarget Target() => new()
    {
        Reader = "csv",
        FileName = "series.csv",
        Seeds = [FuzzSeeds.Head("data/timeseries/airline-passengers.csv", 50), FuzzSeeds.Head("data/timeseries/monthly-sunspots.csv", 50),
                 FuzzSeeds.Utf8("\uFEFFid,\"the \"\"value\"\"\",Value,comment\r\n1,-0.5,3.25e2,\"a, b\"\r\n2,1E-3,+7,\r\n\r\n3,2,-1.5,last\r\n")],
        Parse = c => TimeSeriesCsv.Read(c.Path, Columns[c.SeedIndex].Value, Columns[c.SeedIndex].Date),
        IsFormatError = e => e is FormatException,
        NamesLocation = (c, e) => FuzzSeeds.NamesLine(c.Path, e.Message, "no data rows after the header."),
        CheckAccepted = (c, result) =>
        {
            string text = FuzzSeeds.RequireUtf8(c.Bytes);
            var series = (TimeSeries)result;
            if (series.Values.Any(v => !double.IsFinite(v))) throw new FuzzInvariantException("a value is not finite");
            if (series.Dates.Count != series.Values.Length) throw new FuzzInvariantException($"{series.Dates.Count} dates for {series.Values.Length} values");
            if (Columns[c.SeedIndex].Date is not null && series.Dates.FirstOrDefault(d => !ForecastProtocol.TryParseDate(d, out _)) is { } bad)
                throw new FuzzInvariantException($"date '{bad}' does not parse");
            int lines = text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None).Length; // ReadLine ends lines at CR, LF or CRLF
            if (series.Count < 1 || series.Count > lines - 1) throw new FuzzInvariantException($"{series.Count} rows from {lines} lines");
        },
    };

    [Fact]
    public void MutatedCsvFiles_AreFormatErrorsNamingTheLine_OrFiniteSeries() => FuzzHarness.Run(Target(), output);
}
