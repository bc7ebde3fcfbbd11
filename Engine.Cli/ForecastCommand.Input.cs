using System.Globalization;
using SeqLearn.Forecasting;

namespace SeqLearn.Cli;

/// <summary>
/// Checks of the series <c>forecast</c> read that name the file line of the row at fault (<see cref="CsvTimeSeries.Where"/>),
/// made before anything is fitted: the library's own checks see only 0-based rows of arrays.
/// </summary>
public static partial class ForecastCommand
{
    /// <summary>
    /// The refusal when no <c>--season</c> is given and the dates imply none (<see cref="ForecastBaselines.InferSeason"/>):
    /// no date column, yearly dates, or months and days mixed (the first row whose form differs from the first row's is named).
    /// </summary>
    private static ArgumentException NoSeason(CsvTimeSeries data, string? dateColumn)
    {
        const string remedy = "give --season S (rows per seasonal cycle)";
        if (dateColumn is null) return new ArgumentException($"{remedy}: without a date column (--date) the season cannot be inferred.");
        IReadOnlyList<string> dates = data.Series.Dates;
        string first = Form(dates[0]);
        for (int i = 1; i < dates.Count; i++)
            if (Form(dates[i]) != first)
                return new ArgumentException($"{remedy}: {data.Where(i)} has date '{dates[i]}' ({Form(dates[i])}), but {data.Where(0)} has '{dates[0]}' ({first}), "
                    + "so the dates do not say whether the data are monthly or daily.");
        if (first != "year")   // months (or month-spaced days) whose step makes no whole number of rows a year
            return new ArgumentException($"{remedy}: the last two dates, '{dates[^2]}' at {data.Where(dates.Count - 2)} and '{dates[^1]}' at {data.Where(dates.Count - 1)}, "
                + "are a step that makes no whole number of rows a year.");
        return new ArgumentException($"{remedy}: the dates are {first}s ('{dates[0]}' at {data.Where(0)}), which imply no season; only months (yyyy-MM) and days (yyyy-MM-dd) do.");
    }

    // What a date that parses names, by its length: a year, a month or a day.
    private static string Form(string date) => date.Trim().Length switch { 4 => "year", 7 => "month", _ => "day" };

    /// <summary>
    /// A log stage of <paramref name="spec"/> (given as <paramref name="option"/>) needs positive inputs on every row:
    /// the stages before it, fitted on the training rows as the model fits them, are applied to the whole series, and the
    /// first row whose input to the log is not positive is refused by its file line.
    /// </summary>
    private static void CheckLogInputs(CsvTimeSeries data, ForecastSplit split, string spec, string option)
    {
        IReadOnlyList<ISeriesTransform> stages = Stages(spec, option).Stages;
        for (int k = 0; k < stages.Count; k++)
        {
            if (stages[k] is not LogTransform) continue;
            var before = new TransformPipeline([.. stages.Take(k)]);
            double[] values = data.Series.Values;
            double[] input = k == 0 ? values : before.Fit(split.Train(values)).Forward(values);
            int i = Array.FindIndex(input, x => !(x > 0));
            if (i < 0) continue;
            int row = i + before.Lag;
            string value = input[i].ToString("R", CultureInfo.InvariantCulture);
            throw new ArgumentException(k == 0
                ? $"{data.Where(row)}: value {value} in column '{data.Series.ValueName}' is not positive; {option} {spec} takes its logarithm."
                : $"{data.Where(row)}: {option} {spec} takes the logarithm of {value}, this row's value after {before.Name}, which is not positive.");
        }
    }

    /// <summary>
    /// The last guard of the bound <see cref="CsvTimeSeries.EnsureForecastable"/> keeps: a model whose fit still
    /// overflows (an ill-conditioned AR fit with large coefficients, say) gives a non-finite score or forecast, refused
    /// by the line of the largest value rather than printed as NaN or failing the JSON writer.
    /// </summary>
    private static void EnsureFinite(CsvTimeSeries data, ForecastReport report, FutureRow[]? future, string arSpec)
    {
        string? what = report.Rows.FirstOrDefault(r => !double.IsFinite(r.Rmse) || !double.IsFinite(r.Mae)) is { } bad ? $"the {bad.Name} row's RMSE or MAE"
            : future?.FirstOrDefault(f => !double.IsFinite(f.Ar) || f.Model is double m && !double.IsFinite(m)) is { } step ? $"the forecast {step.Step} steps past the end"
            : null;
        if (what is null) return;
        int row = data.LargestRow();
        string transform = arSpec.Length > 0 ? $" (the AR model works through --ar-transform {arSpec}, whose differences can be larger than the values)" : "";
        throw new FormatException(string.Create(CultureInfo.InvariantCulture,
            $"{data.Where(row)}: {what} is not a finite number: the computation overflowed; the largest value, {data.Series.Values[row]:R} in column '{data.Series.ValueName}', is on this line{transform}."));
    }

    /// <summary>
    /// Runs <paramref name="fit"/> (the baselines' evaluation); an AR fit the training rows do not allow (constant rows, or an
    /// exact shorter recurrence) is refused with the options that chose those rows.
    /// </summary>
    private static T WithArContext<T>(Func<T> fit, string protocol, string arSpec)
    {
        try { return fit(); }
        catch (RankDeficientException e)
        {
            throw new ArgumentException($"{e.Message} The AR row is fitted on the training rows of --protocol {protocol}"
                + (arSpec.Length > 0 ? $" through --ar-transform {arSpec}." : "."), e);
        }
    }
}
