using System.Globalization;

namespace SeqLearn.Forecasting;

/// <summary>
/// Forecasts past the end of a series: a one-step model applied recursively, each forecast appended to the history as
/// if it were observed,
/// <code>
/// ŷ_{n+h} = f(y_0 … y_{n−1}, ŷ_n … ŷ_{n+h−1}),   h = 0 … N−1
/// </code>
/// and the dates those rows would carry.
/// </summary>
public static class FutureForecast
{
    /// <summary>The next <paramref name="steps"/> values after <paramref name="history"/> from a fitted one-step model.</summary>
    public static double[] Recursive(IOneStepForecaster fitted, ReadOnlySpan<double> history, int steps)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"FutureForecast: steps must be at least 1, got {steps}.");
        if (history.Length < fitted.MinHistory)
            throw new ArgumentException($"FutureForecast: {fitted.Name} needs {fitted.MinHistory} history values, got {history.Length}.", nameof(history));
        var path = new double[history.Length + steps];
        history.CopyTo(path);
        for (int h = 0; h < steps; h++) path[history.Length + h] = fitted.Forecast(path.AsSpan(0, history.Length + h));
        return path[history.Length..];
    }

    /// <summary>
    /// The dates of the <paramref name="steps"/> rows after the last of <paramref name="dates"/>: one month on for
    /// <c>yyyy-MM</c> dates, one day on for <c>yyyy-MM-dd</c> dates, in the same format; empty strings when the series
    /// has no dates or its last date is in neither format.
    /// </summary>
    public static string[] NextDates(IReadOnlyList<string> dates, int steps)
    {
        ArgumentNullException.ThrowIfNull(dates);
        var next = new string[steps];
        string last = dates.Count > 0 ? dates[^1].Trim() : "";
        if (!ForecastProtocol.TryParseDate(last, out DateOnly d) || last.Length is not (7 or 10))
        {
            Array.Fill(next, "");
            return next;
        }
        for (int h = 0; h < steps; h++)
            next[h] = last.Length == 7
                ? d.AddMonths(h + 1).ToString("yyyy-MM", CultureInfo.InvariantCulture)
                : d.AddDays(h + 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return next;
    }
}
