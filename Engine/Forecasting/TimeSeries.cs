namespace SeqLearn.Forecasting;

/// <summary>
/// One univariate series read from a file: the values <c>y_0 … y_{n−1}</c> in file order, the date label of each row
/// (empty strings when the file has no date column) and where it came from. Rows are taken as consecutive steps:
/// a date missing from the file is not filled in, so lag s means s rows back.
/// </summary>
/// <param name="Source">The file the series was read from (named in errors).</param>
/// <param name="ValueName">Header of the value column.</param>
/// <param name="Dates">Date label of each row as written in the file (e.g. <c>1949-01</c>, <c>1981-01-01</c>).</param>
/// <param name="Values">The values, one per row.</param>
public sealed record TimeSeries(string Source, string ValueName, IReadOnlyList<string> Dates, double[] Values)
{
    /// <summary>The file the series was read from (named in errors).</summary>
    public string Source { get; init => field = value ?? throw new ArgumentNullException(nameof(Source)); } = Source ?? throw new ArgumentNullException(nameof(Source));

    /// <summary>Header of the value column.</summary>
    public string ValueName { get; init => field = value ?? throw new ArgumentNullException(nameof(ValueName)); } = ValueName ?? throw new ArgumentNullException(nameof(ValueName));

    /// <summary>Date label of each row (an empty string where the file has none); as many as <see cref="Values"/>.</summary>
    public IReadOnlyList<string> Dates { get; init => field = CheckDates(value); } = CheckDates(Dates, Values?.Length);

    /// <summary>The values, one per row.</summary>
    public double[] Values { get; init => field = value ?? throw new ArgumentNullException(nameof(Values)); } = Values ?? throw new ArgumentNullException(nameof(Values));

    // The labels, none null, and as many as the values when their count is given (a with-expression may set both in turn).
    private static IReadOnlyList<string> CheckDates(IReadOnlyList<string> dates, int? rows = null)
    {
        if (dates is null) throw new ArgumentNullException(nameof(Dates));
        if (rows is { } n && dates.Count != n)
            throw new ArgumentException($"TimeSeries: {dates.Count} dates for {n} values; give one date label per row (an empty string where there is none).", nameof(Dates));
        for (int i = 0; i < dates.Count; i++)
            if (dates[i] is null) throw new ArgumentException($"TimeSeries: date {i} is null (use an empty string for a row without one).", nameof(Dates));
        return dates;
    }

    /// <summary>Number of rows n.</summary>
    public int Count => Values.Length;

    /// <summary>The series with every value replaced: used to check that fitting never reads the targets.</summary>
    public TimeSeries WithValues(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Values.Length)
            throw new ArgumentException($"TimeSeries.WithValues: {values.Length} values for a series of {Values.Length} rows.", nameof(values));
        return this with { Values = values };
    }
}
