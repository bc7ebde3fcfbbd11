using System.Globalization;

namespace SeqLearn.Forecasting;

/// <summary>How a <see cref="ForecastProtocol"/> places the boundary between training rows and target rows.</summary>
public enum ForecastProtocolKind
{
    /// <summary><c>split:f</c>: the first ⌊f·n⌋ rows train.</summary>
    Split,

    /// <summary><c>last:k</c>: the last k rows are targets.</summary>
    Last,

    /// <summary><c>from:yyyy-MM-dd</c>: rows dated on or after the date are targets.</summary>
    From,
}

/// <summary>
/// Which rows of a series train a forecaster and which rows it is scored on. Every protocol here cuts the series once:
/// rows [0, n_train) train, and every later row t ∈ [n_train, n) is a target, forecast one step ahead from the true
/// history y_0 … y_{t−1} (walk-forward: each true value joins the history before the next forecast; the model is
/// fitted once, on the training rows only). At a horizon H &gt; 1 the targets are rows n_train + H − 1 … n − 1, each
/// forecast from y_0 … y_{t−H} (<see cref="HorizonEvaluation"/>).
/// </summary>
public sealed record ForecastProtocol
{
    private ForecastProtocol(string spec, ForecastProtocolKind kind, double fraction, int count, DateOnly from)
    {
        Spec = spec;
        Kind = kind;
        Fraction = fraction;
        Count = count;
        From = from;
    }

    /// <summary>The text the protocol was parsed from, e.g. <c>split:0.67</c>.</summary>
    public string Spec { get; }

    /// <summary>Which rule places the cut.</summary>
    public ForecastProtocolKind Kind { get; }

    /// <summary>f of <c>split:f</c> (0 &lt; f &lt; 1).</summary>
    public double Fraction { get; }

    /// <summary>k of <c>last:k</c> (k ≥ 1).</summary>
    public int Count { get; }

    /// <summary>The first target date of <c>from:date</c>.</summary>
    public DateOnly From { get; }

    /// <summary>Parses <c>split:0.67</c>, <c>last:12</c> or <c>from:1990-01-01</c>; a bad spec throws a <see cref="FormatException"/> that quotes it.</summary>
    public static ForecastProtocol Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var c = CultureInfo.InvariantCulture;
        int colon = spec.IndexOf(':');
        string kind = colon < 0 ? spec : spec[..colon].Trim().ToLowerInvariant();
        string arg = colon < 0 ? "" : spec[(colon + 1)..].Trim();
        switch (kind)
        {
            case "split" when double.TryParse(arg, NumberStyles.Float, c, out double f) && f > 0 && f < 1:
                return new ForecastProtocol(spec, ForecastProtocolKind.Split, f, 0, default);
            case "last" when int.TryParse(arg, NumberStyles.None, c, out int k) && k >= 1:
                return new ForecastProtocol(spec, ForecastProtocolKind.Last, 0, k, default);
            case "from" when TryParseDate(arg, out DateOnly d):
                return new ForecastProtocol(spec, ForecastProtocolKind.From, 0, 0, d);
            case "from" when arg.Length > 0:
                throw new FormatException($"forecast protocol '{spec}': '{arg}' is not a calendar date YYYY-MM-DD (or YYYY-MM, YYYY; '/' also separates).");
            default:
                throw new FormatException($"forecast protocol '{spec}': expected split:F with 0 < F < 1, last:K with K ≥ 1, or from:YYYY-MM-DD.");
        }
    }

    /// <summary>
    /// The cut for a series of <paramref name="series"/>.Count rows: <c>split:f</c> trains on ⌊f·n⌋ rows (the same
    /// rounding as Python's <c>int(n * f)</c>); <c>last:k</c> on n − k; <c>from:d</c> on the rows dated before d (the
    /// dates must then be ascending). Throws <see cref="ArgumentException"/> when either part would be empty.
    /// </summary>
    public ForecastSplit Resolve(TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Count;
        int train = Kind switch
        {
            ForecastProtocolKind.Split => (int)Math.Floor(Fraction * n),
            ForecastProtocolKind.Last => n - Count,
            _ => FirstRowOnOrAfter(series),
        };
        if (train < 1 || train >= n)
            throw new ArgumentException($"forecast protocol '{Spec}' on {series.Source} ({n} rows) leaves {train} training and {n - train} target rows; both must be at least 1.", nameof(series));
        return new ForecastSplit(train, n);
    }

    private int FirstRowOnOrAfter(TimeSeries series)
    {
        int first = series.Count;
        DateOnly previous = DateOnly.MinValue;
        for (int i = 0; i < series.Count; i++)
        {
            if (!TryParseDate(series.Dates[i], out DateOnly d))
                throw new ArgumentException($"forecast protocol '{Spec}' cuts at a date, but row {i} (0-based) of the series read from {series.Source} has date '{series.Dates[i]}', not yyyy, yyyy-MM or yyyy-MM-dd.", nameof(series));
            if (d < previous)
                throw new ArgumentException($"forecast protocol '{Spec}': the dates of the series read from {series.Source} are not ascending at row {i} (0-based, '{series.Dates[i]}').", nameof(series));
            previous = d;
            if (d >= From && first == series.Count) first = i;
        }
        return first;
    }

    /// <summary>
    /// Parses <c>yyyy-MM-dd</c>, <c>yyyy-MM</c> (the first of the month) or <c>yyyy</c> (1 January), and
    /// <c>yyyy/MM/dd</c> and <c>yyyy/MM</c> alike; surrounding whitespace is ignored.
    /// </summary>
    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyy-MM", "yyyy", "yyyy/MM/dd", "yyyy/MM"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

/// <summary>Rows [0, <paramref name="TrainCount"/>) train; rows [<paramref name="TrainCount"/>, <paramref name="Count"/>) are the targets.</summary>
/// <param name="TrainCount">n_train, also the index of the first target.</param>
/// <param name="Count">n, rows in the series.</param>
public readonly record struct ForecastSplit(int TrainCount, int Count)
{
    /// <summary>n_train, also the index of the first target: in [0, <see cref="Count"/>].</summary>
    public int TrainCount { get; init => field = Check(value, Count); } = Check(TrainCount, Count);

    /// <summary>n, rows in the series (≥ 0).</summary>
    public int Count { get; init => field = value >= TrainCount ? value : throw OutOfRange(TrainCount, value); } = Count;

    private static int Check(int trainCount, int count) => trainCount >= 0 && trainCount <= count ? trainCount : throw OutOfRange(trainCount, count);

    private static ArgumentOutOfRangeException OutOfRange(int trainCount, int count) =>
        new(nameof(TrainCount), $"ForecastSplit: n_train = {trainCount} must be in [0, n] with n = {count} rows.");

    /// <summary>Number of targets, n − n_train.</summary>
    public int TargetCount => Count - TrainCount;

    /// <summary>The target row indices n_train … n − 1.</summary>
    public int[] TargetIndices() => Enumerable.Range(TrainCount, TargetCount).ToArray();

    /// <summary>The training part of <paramref name="values"/> (the only rows a fit may read).</summary>
    public ReadOnlySpan<double> Train(double[] values) => values.AsSpan(0, TrainCount);
}
