using SeqLearn.Tensors;

namespace SeqLearn.Forecasting;

/// <summary>Calendar features added beside the value at every input step, as a point on the unit circle.</summary>
public enum CalendarFeatures
{
    /// <summary>F = 1: the value only.</summary>
    None,

    /// <summary>F = 3: value, sin θ, cos θ with θ = 2π (month − 1) / 12.</summary>
    MonthOfYear,

    /// <summary>F = 3: value, sin θ, cos θ with θ = 2π (day of year − 1) / (days in that year).</summary>
    DayOfYear,
}

/// <summary>What one window holds: T input steps (the look-back) of F features and H future values to predict.</summary>
/// <param name="LookBack">T ≥ 1, input steps per window.</param>
/// <param name="Horizon">H ≥ 1, target values per window (1: many-to-one; H &gt; 1: the direct multi-step strategy).</param>
/// <param name="Calendar">Calendar features per step (needs a date per row).</param>
public readonly record struct WindowSpec(int LookBack, int Horizon = 1, CalendarFeatures Calendar = CalendarFeatures.None)
{
    /// <summary>F, features per input step: 1, or 3 with calendar features.</summary>
    public int Features => Calendar == CalendarFeatures.None ? 1 : 3;
}

/// <summary>
/// B windows as plain row-major arrays: <see cref="Inputs"/> (B, T, F) and <see cref="Targets"/> (B, H). Window b
/// forecasts from time t_b = <see cref="TargetStart"/>[b]: input step τ ∈ 0 … T−1 is row t_b − T + τ, feature 0 its
/// value z_{t_b−T+τ} and features 1, 2 (when present) sin θ and cos θ of its date; target h ∈ 0 … H−1 is z_{t_b+h}.
/// </summary>
/// <param name="Inputs">(B, T, F) row-major: index (b·T + τ)·F + f.</param>
/// <param name="Targets">(B, H) row-major: index b·H + h.</param>
/// <param name="TargetStart">t_b of each window, length B.</param>
/// <param name="Spec">T, H and the features.</param>
public sealed record WindowBatch(double[] Inputs, double[] Targets, int[] TargetStart, WindowSpec Spec)
{
    /// <summary>B, number of windows.</summary>
    public int Count => TargetStart.Length;

    /// <summary>Input feature f at step τ of window b.</summary>
    public double Input(int b, int tau, int f) => Inputs[(b * Spec.LookBack + tau) * Spec.Features + f];

    /// <summary>Target h of window b.</summary>
    public double Target(int b, int h) => Targets[b * Spec.Horizon + h];
}

/// <summary>
/// Cuts a series into supervised windows for a neural forecaster, without tensors. The values are whatever the
/// model sees (usually the series after a <see cref="TransformPipeline"/>); <c>dates</c>, when calendar features are
/// asked for, must be aligned with them (row i of values has date i).
/// </summary>
public static class SeriesWindows
{
    /// <summary>
    /// Every window whose targets t … t+H−1 lie in [<paramref name="first"/>, <paramref name="end"/>) and whose T inputs
    /// exist (t ≥ T): training windows use first = T, end = n_train; evaluation windows first = n_train, end = n, so
    /// each target's inputs are true history only.
    /// </summary>
    public static WindowBatch Build(ReadOnlySpan<double> values, IReadOnlyList<string>? dates, WindowSpec spec, int first, int end)
    {
        Check(spec, values.Length, dates);
        if (end > values.Length) throw new ArgumentException($"SeriesWindows.Build: end {end} is past the {values.Length} values.", nameof(end));
        int start = Math.Max(first, spec.LookBack);
        int count = Math.Max(0, end - spec.Horizon + 1 - start);
        int T = spec.LookBack, F = spec.Features, H = spec.Horizon;
        var inputs = new double[ArrayLength("Build", (long)count * T * F, $"the inputs B·T·F = {count}·{T}·{F}")];
        var targets = new double[ArrayLength("Build", (long)count * H, $"the targets B·H = {count}·{H}")];
        var starts = new int[count];
        double[,]? calendar = Angles(dates, spec.Calendar, 0, values.Length);
        for (int b = 0; b < count; b++)
        {
            int t = start + b;
            starts[b] = t;
            for (int tau = 0; tau < T; tau++) WriteStep(inputs.AsSpan((b * T + tau) * F, F), values[t - T + tau], calendar, t - T + tau);
            for (int h = 0; h < H; h++) targets[b * H + h] = values[t + h];
        }
        return new WindowBatch(inputs, targets, starts, spec);
    }

    /// <summary>
    /// The recursive multi-step strategy: a one-step model (<paramref name="step"/>, given one (T, F) window, returns
    /// ẑ for the next row) forecasts rows t … t+H−1 from the history z_0 … z_{t−1} (<paramref name="history"/>), each
    /// forecast appended to the window as if it were true. <paramref name="dates"/> must reach row t+H−1 when calendar
    /// features are used. Returns the H forecasts.
    /// </summary>
    public static double[] Recursive(Func<double[], double> step, ReadOnlySpan<double> history, IReadOnlyList<string>? dates, WindowSpec spec, int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), $"SeriesWindows.Recursive: horizon must be at least 1 (got {horizon}).");
        int t0 = history.Length, T = spec.LookBack, F = spec.Features;
        if (t0 < T) throw new ArgumentException($"SeriesWindows.Recursive: {t0} history values, look-back {T} needs {T}.", nameof(history));
        Check(spec, t0 + horizon, dates);
        double[,]? calendar = Angles(dates, spec.Calendar, t0 - T, t0 + horizon);                   // rows t0 − T … t0 + H − 1
        var path = new double[checked(T + horizon)];                                                 // the same rows' values
        history[^T..].CopyTo(path);
        var forecasts = new double[horizon];
        int width = ArrayLength("Recursive", (long)T * F, $"the window T·F = {T}·{F}");
        for (int h = 0; h < horizon; h++)
        {
            var window = new double[width]; // (T, F)
            for (int tau = 0; tau < T; tau++) WriteStep(window.AsSpan(tau * F, F), path[h + tau], calendar, h + tau);
            forecasts[h] = path[T + h] = step(window);
        }
        return forecasts;
    }

    /// <summary>
    /// The one (T, F) window that forecasts from row t = <paramref name="history"/>.Length: rows t − T … t − 1 of the
    /// true history (and their dates' angles), laid out as one window of <see cref="Build"/>. As for
    /// <see cref="Recursive"/>, <paramref name="dates"/> must reach the last forecast row t + H − 1 when calendar
    /// features are used.
    /// </summary>
    public static double[] Latest(ReadOnlySpan<double> history, IReadOnlyList<string>? dates, WindowSpec spec) =>
        Latest(history, history.Length, dates, spec);

    /// <summary>
    /// The window of <see cref="Latest(ReadOnlySpan{double}, IReadOnlyList{string}?, WindowSpec)"/> from the tail
    /// <paramref name="recent"/> of a history of length <paramref name="t"/>: its last T values are rows t − T … t − 1,
    /// and only their dates are read.
    /// </summary>
    public static double[] Latest(ReadOnlySpan<double> recent, int t, IReadOnlyList<string>? dates, WindowSpec spec)
    {
        int T = spec.LookBack, F = spec.Features;
        if (t < T) throw new ArgumentException($"SeriesWindows.Latest: {t} history values, look-back {T} needs {T}.", nameof(recent));
        if (recent.Length < T || recent.Length > t)
            throw new ArgumentException($"SeriesWindows.Latest: {recent.Length} recent values of a history of {t}, look-back {T} needs from {T} to {t}.", nameof(recent));
        Check(spec, t + spec.Horizon, dates);
        double[,]? calendar = Angles(dates, spec.Calendar, t - T, t);
        var window = new double[ArrayLength("Latest", (long)T * F, $"the window T·F = {T}·{F}")]; // (T, F)
        for (int tau = 0; tau < T; tau++) WriteStep(window.AsSpan(tau * F, F), recent[recent.Length - T + tau], calendar, tau);
        return window;
    }

    /// <summary>(sin θ, cos θ) of the calendar angle of a date: month of year or day of year, as <paramref name="calendar"/> says.</summary>
    public static (double Sin, double Cos) CalendarAngle(DateOnly date, CalendarFeatures calendar)
    {
        double theta = calendar switch
        {
            CalendarFeatures.MonthOfYear => 2 * Math.PI * (date.Month - 1) / 12,
            CalendarFeatures.DayOfYear => 2 * Math.PI * (date.DayOfYear - 1) / (DateTime.IsLeapYear(date.Year) ? 366 : 365),
            _ => throw new ArgumentException("SeriesWindows.CalendarAngle: no calendar feature chosen.", nameof(calendar)),
        };
        return (Math.Sin(theta), Math.Cos(theta));
    }

    // row: index into calendar (the row's number minus the first row the angles were computed for).
    private static void WriteStep(Span<double> step, double value, double[,]? calendar, int row)
    {
        step[0] = value;
        if (calendar is null) return;
        step[1] = calendar[row, 0];
        step[2] = calendar[row, 1];
    }

    // (sin θ, cos θ) of rows first … end − 1, at index row − first.
    private static double[,]? Angles(IReadOnlyList<string>? dates, CalendarFeatures calendar, int first, int end)
    {
        if (calendar == CalendarFeatures.None) return null;
        var angles = new double[end - first, 2];
        for (int i = first; i < end; i++)
        {
            if (!ForecastProtocol.TryParseDate(dates![i], out DateOnly d))
                throw new FormatException($"SeriesWindows: date '{dates[i]}' at row {i} is not yyyy-MM or yyyy-MM-dd.");
            (angles[i - first, 0], angles[i - first, 1]) = CalendarAngle(d, calendar);
        }
        return angles;
    }

    private static int ArrayLength(string op, long length, string size) =>
        ShapeUtil.ArrayLength(length, $"SeriesWindows.{op}", size, "use a shorter look-back or horizon, or fewer rows.");

    private static void Check(WindowSpec spec, int rows, IReadOnlyList<string>? dates)
    {
        if (spec.LookBack < 1 || spec.Horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), $"SeriesWindows: look-back T and horizon H must be at least 1 (got T = {spec.LookBack}, H = {spec.Horizon}).");
        if (spec.Calendar != CalendarFeatures.None && (dates is null || dates.Count < rows))
            throw new ArgumentException($"SeriesWindows: calendar features need a date for each of the {rows} rows (got {dates?.Count ?? 0}).", nameof(dates));
    }
}
