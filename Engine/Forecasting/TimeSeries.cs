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
    /// <summary>Number of rows n.</summary>
    public int Count => Values.Length;

    /// <summary>The series with every value replaced: used to check that fitting never reads the targets.</summary>
    public TimeSeries WithValues(double[] values)
    {
        if (values.Length != Values.Length)
            throw new ArgumentException($"TimeSeries.WithValues: {values.Length} values for a series of {Values.Length} rows.", nameof(values));
        return this with { Values = values };
    }
}
