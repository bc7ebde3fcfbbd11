using System.Globalization;
using System.Text;
using SeqLearn.Text;

namespace SeqLearn.Forecasting;

/// <summary>
/// Reads a <see cref="TimeSeries"/> from a comma-separated file: the first line is a header, every further non-empty
/// line one row. Fields may be quoted (<c>"1949-01"</c>, <c>"a ""b"""</c>); line ends may be LF or CRLF; a UTF-8 byte
/// order mark is skipped; the file must be valid UTF-8. Values are parsed with the invariant culture; a malformed or missing value throws a
/// <see cref="FormatException"/> that names the file and the 1-based line, as does a row with more fields than the header. Every
/// date of a date column must parse (<see cref="ForecastProtocol.TryParseDate"/>: yyyy, yyyy-MM or yyyy-MM-dd), and
/// rows are consecutive time steps, so the dates must be strictly ascending: an empty or malformed date (<c>1953-13</c>),
/// a repeated or an earlier one is a <see cref="FormatException"/> naming its line and the date.
/// </summary>
public static class TimeSeriesCsv
{
    /// <summary>Reads <paramref name="path"/>, taking the value column and the optional date column by header name or 0-based index.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="valueColumn">Header name (exact, case-insensitive) or 0-based index of the value column.</param>
    /// <param name="dateColumn">Header name or index of the date column; <c>null</c> for none (dates are then empty).</param>
    /// <exception cref="FormatException">The file is not valid UTF-8 (line and byte named), or a line is malformed.</exception>
    public static TimeSeries Read(string path, string valueColumn, string? dateColumn = null) => ReadWithLines(path, valueColumn, dateColumn).Series;

    /// <summary>As <see cref="Read(string, string, string?)"/>, with the file line of each row, for errors about a row found later.</summary>
    /// <exception cref="FormatException">The file is not valid UTF-8 (line and byte named), or a line is malformed.</exception>
    /// <exception cref="IOException">The path is a directory or a device, or the file is larger than an array can hold.</exception>
    public static CsvTimeSeries ReadWithLines(string path, string valueColumn, string? dateColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(valueColumn);
        if (Directory.Exists(path)) throw new IOException($"'{path}' is a directory, not a CSV file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: '{path}'.", path);
        byte[] bytes = TextFile.ReadInputBytes(path, "CSV file");
        // lines counted as ReadLine counts the rows' lines
        if (TextFile.FindInvalidUtf8(bytes, crEndsLines: true) is { } bad) throw new FormatException($"{path}:{bad.Line}: {bad}; the file must be UTF-8.");
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        using var reader = new StringReader(Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom));
        return ReadWithLines(reader, path, valueColumn, dateColumn);
    }

    /// <summary>As <see cref="Read(string, string, string?)"/>, from text already open; <paramref name="source"/> names it in errors.</summary>
    public static TimeSeries Read(TextReader reader, string source, string valueColumn, string? dateColumn = null) =>
        ReadWithLines(reader, source, valueColumn, dateColumn).Series;

    /// <summary>As <see cref="Read(TextReader, string, string, string?)"/>, with the line of each row (lines counted as <see cref="TextReader.ReadLine"/> ends them).</summary>
    public static CsvTimeSeries ReadWithLines(TextReader reader, string source, string valueColumn, string? dateColumn = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(valueColumn);
        string? headerLine = reader.ReadLine();
        if (headerLine is null) throw new FormatException($"{source}:1: empty file, expected a header line.");
        string[] header = SplitFields(headerLine.TrimStart('\uFEFF'), source, 1);
        int valueIndex = ColumnIndex(header, valueColumn, source, "value");
        int dateIndex = dateColumn is null ? -1 : ColumnIndex(header, dateColumn, source, "date");
        string valueName = Checks.Excerpt(header[valueIndex]), dateName = dateIndex < 0 ? "" : Checks.Excerpt(header[dateIndex]);   // as messages quote them
        var dates = new List<string>();
        var values = new List<double>();
        var lines = new List<int>();
        DateOnly? previousDate = null;
        string previousText = "";
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            string[] fields = SplitFields(line, source, lineNumber);
            int needed = Math.Max(valueIndex, dateIndex) + 1;
            if (fields.Length < needed)
                throw new FormatException($"{source}:{lineNumber}: {fields.Length} field(s), expected at least {needed} (header has {header.Length}).");
            if (fields.Length > header.Length)   // misaligned: an unquoted comma inside a value ("1,234") would shift the columns
                throw new FormatException($"{source}:{lineNumber}: {fields.Length} field(s), the header has {header.Length} (quote a value that holds a comma).");
            string text = fields[valueIndex].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                throw new FormatException($"{source}:{lineNumber}: value '{Checks.Excerpt(text)}' in column '{valueName}' is not a finite number.");
            string date = dateIndex < 0 ? "" : fields[dateIndex].Trim();
            if (dateIndex >= 0)
            {
                if (!ForecastProtocol.TryParseDate(date, out DateOnly day))
                    throw new FormatException(date.Length == 0
                        ? $"{source}:{lineNumber}: the date in column '{dateName}' is empty."
                        : $"{source}:{lineNumber}: date '{Checks.Excerpt(date)}' in column '{dateName}' is not a date of the form yyyy, yyyy-MM or yyyy-MM-dd.");
                if (previousDate is { } before && day <= before)
                    throw new FormatException($"{source}:{lineNumber}: date '{date}' in column '{dateName}' is {(day == before ? "a repeat of" : "earlier than")} the previous row's '{previousText}'; rows must be in ascending date order.");
                (previousDate, previousText) = (day, date);
            }
            values.Add(value);
            dates.Add(date);
            lines.Add(lineNumber);
        }
        if (values.Count == 0) throw new FormatException($"{source}: no data rows after the header.");
        return new CsvTimeSeries(new TimeSeries(source, header[valueIndex], dates, values.ToArray()), lines);
    }

    /// <summary>Splits one line at commas outside quotes; a doubled quote inside quotes is one quote character.</summary>
    internal static string[] SplitFields(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new FormatException($"{source}:{lineNumber}: unterminated quoted field.");
        fields.Add(field.ToString());
        return fields.ToArray();
    }

    private static int ColumnIndex(string[] header, string column, string source, string role)
    {
        for (int i = 0; i < header.Length; i++)
            if (string.Equals(header[i].Trim(), column, StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < header.Length) return index;
        throw new FormatException($"{source}:1: no {role} column '{column}'; the header has {Checks.Excerpt(string.Join(", ", header.Select(h => $"'{Checks.Excerpt(h)}'")), 400)}.");
    }
}

/// <summary>A series read by <see cref="TimeSeriesCsv.ReadWithLines(string, string, string?)"/> and the 1-based file line of each of its rows.</summary>
/// <param name="Series">The series.</param>
/// <param name="Lines">The file line of row i (the header is line 1; blank lines are skipped, so rows and lines need not be consecutive).</param>
public sealed record CsvTimeSeries(TimeSeries Series, IReadOnlyList<int> Lines)
{
    /// <summary><c>file:line</c> of row <paramref name="row"/> (0-based), as errors about the row name it.</summary>
    public string Where(int row) => $"{Series.Source}:{Lines[row]}";

    /// <summary>
    /// The largest magnitude M a value may have for the series to be forecast and scored in doubles:
    /// √(double.MaxValue / 4n). Forecasts are scored by squared errors summed over the rows, least squares and the
    /// standard scaler sum squares and products of values, and an error such as y_t − y_{t−1} can reach 2M, so
    /// n·(2M)² must stay finite. About 5.6e152 for 144 rows.
    /// </summary>
    public double MaxForecastMagnitude => Math.Sqrt(double.MaxValue / (4.0 * Series.Count));

    /// <summary>The 0-based row holding the value of largest magnitude (the first of equals).</summary>
    public int LargestRow()
    {
        double[] v = Series.Values;
        int best = 0;
        for (int i = 1; i < v.Length; i++)
            if (Math.Abs(v[i]) > Math.Abs(v[best])) best = i;
        return best;
    }

    /// <summary>
    /// The smallest the largest magnitude may be (unless every value is 0): below about 1.5e-154 a square underflows a
    /// double, so fits, scalers and scores would compute with zeros (RMSE 0 beside a non-zero MAE).
    /// </summary>
    private const double MinLargestMagnitude = 1e-150;

    /// <summary>
    /// Throws when a value exceeds <see cref="MaxForecastMagnitude"/>, or when every value is below 1e-150 in magnitude but
    /// not all are 0, naming the file line of the largest.
    /// </summary>
    /// <exception cref="FormatException">A value's magnitude is above the bound, or the largest is below 1e-150.</exception>
    public void EnsureForecastable()
    {
        int row = LargestRow();
        double value = Series.Values[row];
        if (Math.Abs(value) > MaxForecastMagnitude)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"{Where(row)}: value {value:R} in column '{Series.ValueName}' is too large to forecast: squared errors summed over the {Series.Count} rows would overflow a double, so values must be at most {MaxForecastMagnitude:G3} in magnitude."));
        if (value != 0 && Math.Abs(value) < MinLargestMagnitude)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"{Where(row)}: the largest value, {value:R} in column '{Series.ValueName}', is too small to forecast: squares of values below {MinLargestMagnitude:G3} underflow a double and would zero the fits and scores; rescale the column."));
    }
}
