using System.Globalization;
using SeqLearn.Training;

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
    public static double[] Recursive(IOneStepForecaster fitted, ReadOnlySpan<double> history, int steps) =>
        Recursive(fitted, history, history.Length, steps);

    /// <summary>
    /// The next <paramref name="steps"/> values after a history of length <paramref name="t"/> whose tail is
    /// <paramref name="recent"/> (at least min(t, MaxHistory) values). Only the last
    /// <see cref="IOneStepForecaster.MaxHistory"/> values are copied, and each step reads the last MaxHistory values of
    /// the path, so a path costs O(MaxHistory + steps) memory whatever t is.
    /// </summary>
    public static double[] Recursive(IOneStepForecaster fitted, ReadOnlySpan<double> recent, int t, int steps)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"FutureForecast: steps must be at least 1, got {steps}.");
        if (t < fitted.MinHistory)
            throw new ArgumentException($"FutureForecast: {fitted.Name} needs {fitted.MinHistory} history values, got {t}.", nameof(recent));
        int window = fitted.MaxHistory;
        ForecastHistory.CheckTail(nameof(FutureForecast), recent, t, window);
        ReadOnlySpan<double> kept = ForecastHistory.Tail(recent, window);
        var path = new double[checked(kept.Length + steps)];   // the kept tail, then the forecasts
        kept.CopyTo(path);
        for (int h = 0; h < steps; h++)
        {
            ReadOnlySpan<double> known = path.AsSpan(0, kept.Length + h);
            path[kept.Length + h] = fitted.Forecast(ForecastHistory.Tail(known, window), t + h);
        }
        return path[kept.Length..];
    }

    /// <summary>
    /// The dates of the <paramref name="steps"/> rows after the last of <paramref name="dates"/>, in the same format
    /// (<c>-</c> or <c>/</c> separated), spaced as the last two rows are: k months on for <c>yyyy-MM</c> dates k months
    /// apart (monthly, quarterly); for <c>yyyy-MM-dd</c> dates k months on when the last two rows are k calendar months
    /// apart (the same day of the month, or both month ends), else as many days as between them (daily, weekly); empty
    /// strings when the series has no dates or its last date is in neither format, and for dates past 9999-12-31.
    /// </summary>
    public static string[] NextDates(IReadOnlyList<string> dates, int steps)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        for (int i = 0; i < dates.Count; i++)
            if (dates[i] is null) throw new ArgumentNullException(nameof(dates), $"FutureForecast.NextDates: date {i} is null.");
        var next = new string[steps];
        if (DateSpacing.Of(dates) is not { } spacing) Array.Fill(next, "");
        else
            for (int h = 0; h < steps; h++) next[h] = spacing.After(h + 1);
        return next;
    }

}

/// <summary>
/// Scores a multi-step strategy under a protocol: the model is fitted once on the training rows, and every target row
/// t ∈ [n_train + H − 1, n) is forecast H steps ahead from the true history y_0 … y_{t−H}: element H − 1 of the path
/// from origin t − H + 1. Recursive (<see cref="RecursiveForecaster"/>): the H − 1 rows in between are the model's own
/// forecasts fed back; direct (e.g. <see cref="DirectAutoRegression"/>, a <see cref="RecurrentForecaster"/> with H
/// outputs): the model's output for lead H − 1. H = 1 is the one-step evaluation of <see cref="OneStepEvaluation"/>.
/// </summary>
public static class HorizonEvaluation
{
    /// <summary>The first target row of horizon <paramref name="horizon"/>: n_train + H − 1.</summary>
    public static int FirstTarget(ForecastSplit split, int horizon) => split.TrainCount + horizon - 1;

    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> unless 1 ≤ <paramref name="horizon"/> ≤ the split's target
    /// rows, so that horizon H has at least one target (row n_train + H − 1). The message begins with
    /// <paramref name="name"/> (e.g. <c>--horizon</c>); <paramref name="paramName"/> is the exception's parameter.
    /// </summary>
    public static void EnsureHorizon(ForecastSplit split, int horizon, string name, string? paramName = null)
    {
        if (horizon < 1 || horizon > split.TargetCount)
            throw new ArgumentOutOfRangeException(paramName, $"{name} must be in [1, {split.TargetCount}] (the target rows), got {horizon}.");
    }

    /// <summary>ŷ_t for t = n_train + H − 1 … n − 1, each made H steps ahead recursively by a one-step model.</summary>
    public static double[] Forecasts(IOneStepForecaster model, double[] values, ForecastSplit split, int horizon)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        EnsureHorizon(split, horizon, "HorizonEvaluation: horizon", nameof(horizon));
        return Forecasts(new RecursiveForecaster(model, horizon), values, split);
    }

    /// <summary>ŷ_t for t = n_train + H − 1 … n − 1 with H = <paramref name="model"/>.Horizon, each made H steps ahead.</summary>
    public static double[] Forecasts(IMultiStepForecaster model, double[] values, ForecastSplit split)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        int horizon = model.Horizon;
        if (split.Count != values.Length) throw new ArgumentException($"HorizonEvaluation: split is for {split.Count} rows, the series has {values.Length}.", nameof(split));
        EnsureHorizon(split, horizon, "HorizonEvaluation: horizon", nameof(model));
        if (split.TrainCount < model.MinHistory)
            throw new ArgumentException($"HorizonEvaluation: {model.Name} needs {model.MinHistory} history values, the first origin has {split.TrainCount}.", nameof(split));
        model.Fit(split.Train(values));
        int first = FirstTarget(split, horizon);
        var forecasts = new double[values.Length - first];
        for (int i = 0; i < forecasts.Length; i++)
        {
            double[] path = model.ForecastPath(values.AsSpan(0, first + i - horizon + 1));
            if (path.Length != horizon) throw new InvalidOperationException($"HorizonEvaluation: {model.Name} returned {path.Length} forecasts, its horizon is {horizon}.");
            forecasts[i] = path[horizon - 1];
        }
        return forecasts;
    }

    /// <summary>Fits, forecasts every target of horizon <paramref name="horizon"/> and returns the report row (RMSE and MAE in the series' units).</summary>
    public static ForecastRow Score(IOneStepForecaster model, double[] values, ForecastSplit split, int horizon, int? order = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        if (horizon == 1) return OneStepEvaluation.Score(model, values, split, order);
        return Score(new RecursiveForecaster(model, horizon), values, split, order);
    }

    /// <summary>Fits, forecasts every target <paramref name="model"/>.Horizon steps ahead and returns the report row.</summary>
    public static ForecastRow Score(IMultiStepForecaster model, double[] values, ForecastSplit split, int? order = null)
    {
        double[] forecasts = Forecasts(model, values, split);
        ReadOnlySpan<double> actual = values.AsSpan(FirstTarget(split, model.Horizon));
        return new ForecastRow(model.Name, RegressionMetrics.Rmse(actual, forecasts), RegressionMetrics.Mae(actual, forecasts)) { P = order };
    }
}
