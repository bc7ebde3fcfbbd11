using System.Text;
using SeqLearn.Forecasting;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Forecasting;

public class TimeSeriesCsvTests
{
    internal static TimeSeries Airline() => TimeSeriesCsv.Read(SharedData.PathOf("data/timeseries/airline-passengers.csv"), "Passengers", "Month");

    internal static TimeSeries Temperatures() => TimeSeriesCsv.Read(SharedData.PathOf("data/timeseries/daily-min-temperatures.csv"), "Temp", "Date");

    internal static TimeSeries Sunspots() => TimeSeriesCsv.Read(SharedData.PathOf("data/timeseries/monthly-sunspots.csv"), "Sunspots", "Month");

    [Fact]
    public void SharedFiles_ReadWithQuotedDatesAndCrlf()
    {
        var air = Airline();
        Assert.Equal(144, air.Count);
        Assert.Equal(("1949-01", 112.0), (air.Dates[0], air.Values[0]));
        Assert.Equal(("1960-12", 432.0), (air.Dates[^1], air.Values[^1]));
        Assert.Equal("Passengers", air.ValueName);
        var temp = Temperatures();
        Assert.Equal(3650, temp.Count);
        Assert.Equal(("1981-01-01", 20.7), (temp.Dates[0], temp.Values[0]));
        Assert.Equal(("1990-12-31", 13.0), (temp.Dates[^1], temp.Values[^1]));
        Assert.DoesNotContain("1984-12-31", temp.Dates);
        var sun = Sunspots();
        Assert.Equal(2820, sun.Count);
        Assert.Equal(58.0, sun.Values[0]);
        Assert.Equal(33.4, sun.Values[^1]);
    }

    [Fact]
    public void Columns_ByNameOrIndex_QuotesBomCrlfAndBlankLines()
    {
        using var dir = new TempDir("csv");
        string path = dir.Combine("s.csv");
        File.WriteAllText(path, "\"id\",\"when\",\"v, with comma\"\r\n1,\"2000-01\",\"1.5\"\r\n\r\n2,\"2000-02\",-2e1\r\n", new UTF8Encoding(true));
        var byName = TimeSeriesCsv.Read(path, "V, WITH COMMA", "when");
        Assert.Equal(new[] { 1.5, -20.0 }, byName.Values);
        Assert.Equal(new[] { "2000-01", "2000-02" }, byName.Dates);
        var byIndex = TimeSeriesCsv.Read(path, "0");
        Assert.Equal(new[] { 1.0, 2.0 }, byIndex.Values);
        Assert.Equal(new[] { "", "" }, byIndex.Dates);
        Assert.Equal(new[] { "a\"b", "c" }, TimeSeriesCsv.SplitFields("\"a\"\"b\",c", "x", 1));
    }

    [Theory]
    [InlineData("d,v\n2000,1\n2001,abc\n", "v", ":3: value 'abc' in column 'v'")]
    [InlineData("d,v\n2000,1\n2001\n", "v", ":3: 1 field(s)")]
    [InlineData("d,v\n2000,\"1\n", "v", ":2: unterminated quoted field")]
    [InlineData("d,v\n2000,NaN\n", "v", ":2: value 'NaN'")]
    [InlineData("d,v\n2000-01,1\n\n2000-13,2\n", "v", ":4: date '2000-13' in column 'd' is not a date of the form yyyy, yyyy-MM or yyyy-MM-dd.")]
    [InlineData("d,v\n2000-01,1\nbanana,2\n", "v", ":3: date 'banana' in column 'd' is not a date")]
    [InlineData("d,v\n2000-01,1\n\"\",2\n", "v", ":3: the date in column 'd' is empty.")]
    [InlineData("d,v\n2000,1\n", "w", ":1: no value column 'w'")]
    [InlineData("d,v\n", "v", "no data rows")]
    public void Malformed_FormatException_NamesFileAndLine(string text, string column, string expected)
    {
        using var dir = new TempDir("csv-bad");
        string path = dir.Combine("bad.csv");
        File.WriteAllText(path, text);
        var e = Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(path, column, "d"));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    // Found by the fuzzer: the reader decoded with replacement characters, so a bad byte in a date was accepted.
    [Theory]
    [InlineData(new byte[] { (byte)'d', (byte)',', (byte)'v', (byte)'\n', (byte)'2', 0xBF, (byte)',', (byte)'1', (byte)'\n' }, ":2: invalid UTF-8 at byte 2 of the line (byte offset 5, 0xBF)")]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'d', 0, (byte)',', 0, (byte)'v', 0 }, ":1: invalid UTF-8 at byte 1 of the line (byte offset 0, 0xFF)")] // UTF-16 is not guessed from a BOM
    // CR-only and CRLF line ends: the line is counted as the reader counts the rows (a lone CR ends a line, CRLF once)
    [InlineData(new byte[] { (byte)'d', (byte)',', (byte)'v', (byte)'\r', (byte)'1', (byte)',', (byte)'1', (byte)'\r', (byte)'2', 0xBF, (byte)'\r' }, ":3: invalid UTF-8 at byte 2 of the line (byte offset 9, 0xBF)")]
    [InlineData(new byte[] { (byte)'d', (byte)',', (byte)'v', (byte)'\r', (byte)'\n', (byte)'2', 0xBF, (byte)'\r', (byte)'\n' }, ":2: invalid UTF-8 at byte 2 of the line (byte offset 6, 0xBF)")]
    [InlineData(new byte[] { (byte)'d', (byte)',', (byte)'v', (byte)'\r', 0xBF }, ":2: invalid UTF-8 at byte 1 of the line (byte offset 4, 0xBF)")]
    public void InvalidUtf8_IsAFormatErrorNamingTheLineAndByte(byte[] bytes, string expected)
    {
        using var dir = new TempDir("csv-utf8");
        string path = dir.Combine("bad.csv");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(path, "v", "d"));
        Assert.StartsWith(path + expected, e.Message);
    }

    // Rows are consecutive time steps (docs/forecasting.md §1), so a repeated or backward date is a malformed file. Before
    // the fix both were read silently: split:/last: never look at the dates, and from: let a repeated date through (and
    // reported a backward one by 0-based row, not by file line).
    [Fact]
    public void DuplicateOrDescendingDates_FormatException_NamesFileAndLine()
    {
        (string Text, string Expected)[] cases =
        [
            ("d,v\n2000-01,1\n2000-02,2\n2000-02,3\n2000-03,4\n", ":4: date '2000-02'"),                   // duplicate month
            ("d,v\n2000-01,1\n\n2000-03,2\n2000-02,3\n2000-04,4\n", ":5: date '2000-02'"),              // backwards, after a blank line
            ("d,v\r\n\"1981-01-01\",1\r\n\"1981-01-02\",2\r\n\"1981-01-02\",3\r\n", ":4: date '1981-01-02'"), // duplicate day, quoted, CRLF
        ];
        using var dir = new TempDir("csv-dates");
        string path = dir.Combine("dates.csv");
        foreach (var (text, expected) in cases)
        {
            File.WriteAllText(path, text);
            var e = Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(path, "v", "d"));
            Assert.StartsWith(path + expected, e.Message);
            Assert.True(TimeSeriesCsv.Read(path, "v").Count >= 3); // without a date column the rows are just values
        }
    }

    // A row with more fields than the header is misaligned, most often an unquoted thousands separator: "1,234" was read as
    // the value 1 (the "234" dropped) without a word. pandas' read_csv refuses such a row ("Expected 2 fields in line 3, saw 3").
    [Fact]
    public void RowWithMoreFieldsThanTheHeader_FormatException_NamesFileAndLine()
    {
        using var dir = new TempDir("csv-long");
        string path = dir.Combine("long.csv");
        File.WriteAllText(path, "d,v\n2000-01,999\n2000-02,1,234\n2000-03,1001\n");
        var e = Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(path, "v", "d"));
        Assert.StartsWith(path + ":3: 3 field(s)", e.Message);
        File.WriteAllText(path, "d,v\n2000-01,999\n2000-02,\"1,234\"\n");
        Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(path, "v", "d")); // quoted: one field, and "1,234" is not a number
    }

    // A cell of a malformed file can be megabytes long (a binary or run-together file): a message quotes its start only.
    [Fact]
    public void HugeCellOrHeader_MessageQuotesItsStart()
    {
        string huge = new string('9', 10_000_000) + "x", start = new string('9', 60) + "…";
        FormatException Read(string text, string value, string? date = "d") =>
            Assert.Throws<FormatException>(() => TimeSeriesCsv.Read(new StringReader(text), "s.csv", value, date));
        Assert.Equal($"s.csv:2: value '{start}' in column 'v' is not a finite number.", Read($"d,v\n2000,{huge}\n", "v").Message);
        Assert.Equal($"s.csv:2: date '{start}' in column 'd' is not a date of the form yyyy, yyyy-MM or yyyy-MM-dd.", Read($"d,v\n{huge},1\n", "v").Message);
        Assert.Equal($"s.csv:2: value 'a' in column '{start}' is not a finite number.", Read($"{huge},v\na,1\n", "0", date: null).Message);
        Assert.Equal($"s.csv:1: no value column 'w'; the header has '{start}', 'v'.", Read($"{huge},v\n1,2\n", "w").Message);
        string many = string.Join(",", Enumerable.Range(0, 1_000_000).Select(i => $"c{i}"));
        Assert.InRange(Read($"{many}\n1\n", "w").Message.Length, 400, 500);
    }
}
