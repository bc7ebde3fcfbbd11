using System.Globalization;

namespace SeqLearn.Forecasting;

/// <summary>
/// The step between a series' rows, read from its last two dates: k calendar months for <c>yyyy-MM</c> dates (1 monthly,
/// 3 quarterly), k months for <c>yyyy-MM-dd</c> dates k months apart on the same day or both at month ends, else the
/// days between them (1 daily, 7 weekly). One date alone steps one month or one day.
/// </summary>
/// <param name="Last">The last date.</param>
/// <param name="Months">Months per step (0 when the step is in days).</param>
/// <param name="Days">Days per step (0 when the step is in months).</param>
/// <param name="MonthEnd">Every step lands on a month's last day (both dates were month ends).</param>
/// <param name="Format">The dates' format, separator included.</param>
internal readonly record struct DateSpacing(DateOnly Last, int Months, int Days, bool MonthEnd, string Format)
{
    /// <summary>The spacing of <paramref name="dates"/>, or null when the last date is not <c>yyyy-MM</c> or <c>yyyy-MM-dd</c>.</summary>
    public static DateSpacing? Of(IReadOnlyList<string> dates)
    {
        string last = dates.Count > 0 ? dates[^1].Trim() : "";
        if (!ForecastProtocol.TryParseDate(last, out DateOnly d) || last.Length is not (7 or 10)) return null;
        char separator = last[4];
        bool byMonth = last.Length == 7;
        string format = byMonth ? $"yyyy'{separator}'MM" : $"yyyy'{separator}'MM'{separator}'dd";
        string previousText = dates.Count > 1 ? dates[^2].Trim() : "";
        if (previousText.Length != last.Length || !ForecastProtocol.TryParseDate(previousText, out DateOnly previous) || previous >= d)
            return new DateSpacing(d, byMonth ? 1 : 0, byMonth ? 0 : 1, false, format);
        int months = (d.Year - previous.Year) * 12 + d.Month - previous.Month;
        if (byMonth) return new DateSpacing(d, months, 0, false, format);
        bool monthEnd = IsMonthEnd(previous) && IsMonthEnd(d);
        return months >= 1 && (monthEnd || previous.Day == d.Day)
            ? new DateSpacing(d, months, 0, monthEnd, format)
            : new DateSpacing(d, 0, d.DayNumber - previous.DayNumber, false, format);
    }

    /// <summary>The date <paramref name="steps"/> steps after <see cref="Last"/>, in <see cref="Format"/>; empty past 9999-12-31.</summary>
    public string After(int steps)
    {
        long monthIndex = Last.Year * 12L + Last.Month - 1 + (long)Months * steps, dayNumber = Last.DayNumber + (long)Days * steps;
        if (monthIndex > 9999 * 12L + 11 || dayNumber > DateOnly.MaxValue.DayNumber) return "";
        DateOnly x = Months > 0 ? Last.AddMonths(Months * steps) : Last.AddDays(Days * steps);
        if (MonthEnd) x = new DateOnly(x.Year, x.Month, DateTime.DaysInMonth(x.Year, x.Month));
        return x.ToString(Format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The season in rows: 12 / k for a step of k &lt; 12 months dividing 12 (12 monthly, 4 quarterly), 52 for weekly
    /// rows, 365 for daily ones (a yearly cycle, leap and missing days not corrected); null for any other step, which
    /// makes no whole number of rows a year (five months, fourteen days) or is a year or more.
    /// </summary>
    public int? Season => Months > 0 ? (Months < 12 && 12 % Months == 0 ? 12 / Months : null) : Days switch { 1 => 365, 7 => 52, _ => null };

    private static bool IsMonthEnd(DateOnly d) => d.Day == DateTime.DaysInMonth(d.Year, d.Month);
}
