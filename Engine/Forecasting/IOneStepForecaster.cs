using SeqLearn.Training;

namespace SeqLearn.Forecasting;

/// <summary>
/// A model that forecasts the next value ŷ_t from the true history y_0 … y_{t−1}. It is fitted once, on the training
/// rows, and then asked for one forecast per target row (walk-forward without refitting).
/// </summary>
public interface IOneStepForecaster
{
    /// <summary>Row name in reports, e.g. <c>persistence</c>, <c>seasonal-naive</c>, <c>ar</c>.</summary>
    string Name { get; }

    /// <summary>Fewest history values <see cref="Forecast(ReadOnlySpan{double})"/> needs.</summary>
    int MinHistory { get; }

    /// <summary>Learns from the training rows only.</summary>
    void Fit(ReadOnlySpan<double> train);

    /// <summary>ŷ_t given <paramref name="history"/> = y_0 … y_{t−1}.</summary>
    double Forecast(ReadOnlySpan<double> history);

    /// <summary>
    /// Most recent history values <see cref="Forecast(ReadOnlySpan{double})"/> reads: ŷ_t depends on the history only
    /// through y_{t−k} … y_{t−1} with k = MaxHistory, and on t (a calendar feature dates row t). Wrappers that transform
    /// or extend the history (<see cref="TransformedForecaster"/>, <see cref="RecursiveForecaster"/>) work on that tail
    /// alone, so a walk-forward over n rows costs O(n·k), not O(n²). <see cref="int.MaxValue"/>, the default, for a model
    /// that may read every value.
    /// </summary>
    int MaxHistory => int.MaxValue;

    /// <summary>
    /// ŷ_t from the tail <paramref name="recent"/> = y_{t−m} … y_{t−1} of a history of length <paramref name="t"/>
    /// (m = recent.Length, at least min(t, <see cref="MaxHistory"/>)): the same value as
    /// <see cref="Forecast(ReadOnlySpan{double})"/> on the whole history. The default accepts only the whole history
    /// (m = t); a model with a finite <see cref="MaxHistory"/> overrides it.
    /// </summary>
    double Forecast(ReadOnlySpan<double> recent, int t) => recent.Length == t
        ? Forecast(recent)
        : throw new NotSupportedException($"{Name}: forecasting from the last {recent.Length} of {t} history values needs a finite MaxHistory and its own Forecast(recent, t).");
}

/// <summary>Cutting a history to the tail a forecaster reads (<see cref="IOneStepForecaster.MaxHistory"/>).</summary>
internal static class ForecastHistory
{
    /// <summary>The last min(<paramref name="history"/>.Length, <paramref name="maxHistory"/>) values of <paramref name="history"/>.</summary>
    public static ReadOnlySpan<double> Tail(ReadOnlySpan<double> history, int maxHistory) =>
        history.Length <= maxHistory ? history : history[^maxHistory..];

    /// <summary>a + b, or <see cref="int.MaxValue"/> when that does not fit: a window widened by a transform's lag.</summary>
    public static int Widen(int a, int b) => (int)Math.Min(int.MaxValue, (long)a + b);

    /// <summary>
    /// Throws unless <paramref name="recent"/> can be the tail of a history of length <paramref name="t"/> that holds
    /// what a model reading <paramref name="maxHistory"/> values needs: at most t values, and at least min(t, maxHistory).
    /// </summary>
    public static void CheckTail(string model, ReadOnlySpan<double> recent, int t, int maxHistory)
    {
        if (t < recent.Length)
            throw new ArgumentOutOfRangeException(nameof(t), $"{model}: {recent.Length} recent values cannot be the tail of a history of {t}.");
        if (recent.Length < Math.Min(t, maxHistory))
            throw new ArgumentException($"{model}: reads the last {Math.Min(t, maxHistory)} history values, got {recent.Length}.", nameof(recent));
    }
}

/// <summary>Runs a forecaster over the target rows of a protocol and scores it.</summary>
public static class OneStepEvaluation
{
    /// <summary>
    /// Fits <paramref name="model"/> on rows [0, n_train) of <paramref name="values"/>, then returns ŷ_t for every
    /// target t = n_train … n − 1, each from the true history y_0 … y_{t−1}.
    /// </summary>
    public static double[] Forecasts(IOneStepForecaster model, double[] values, ForecastSplit split)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        if (split.Count != values.Length) throw new ArgumentException($"OneStepEvaluation: split is for {split.Count} rows, the series has {values.Length}.", nameof(split));
        if (split.TrainCount < model.MinHistory)
            throw new ArgumentException($"OneStepEvaluation: {model.Name} needs {model.MinHistory} history values, the first target has {split.TrainCount}.", nameof(split));
        model.Fit(split.Train(values));
        var forecasts = new double[split.TargetCount];
        for (int i = 0; i < forecasts.Length; i++) forecasts[i] = model.Forecast(values.AsSpan(0, split.TrainCount + i));
        return forecasts;
    }

    /// <summary>Fits, forecasts every target and returns the report row (RMSE and MAE in the series' units).</summary>
    public static ForecastRow Score(IOneStepForecaster model, double[] values, ForecastSplit split, int? order = null)
    {
        double[] forecasts = Forecasts(model, values, split);
        ReadOnlySpan<double> actual = values.AsSpan(split.TrainCount);
        return new ForecastRow(model.Name, RegressionMetrics.Rmse(actual, forecasts), RegressionMetrics.Mae(actual, forecasts)) { P = order };
    }
}
