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

    /// <summary>Fewest history values <see cref="Forecast"/> needs.</summary>
    int MinHistory { get; }

    /// <summary>Learns from the training rows only.</summary>
    void Fit(ReadOnlySpan<double> train);

    /// <summary>ŷ_t given <paramref name="history"/> = y_0 … y_{t−1}.</summary>
    double Forecast(ReadOnlySpan<double> history);
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
        if (split.Count != values.Length) throw new ArgumentException($"OneStepEvaluation: split is for {split.Count} rows, the series has {values.Length}.");
        if (split.TrainCount < model.MinHistory)
            throw new ArgumentException($"OneStepEvaluation: {model.Name} needs {model.MinHistory} history values, the first target has {split.TrainCount}.");
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
