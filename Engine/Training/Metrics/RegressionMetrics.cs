namespace SeqLearn.Training;

/// <summary>
/// Point-forecast errors over N pairs of true values y and forecasts ŷ, in the units of y:
/// RMSE = √(Σ(y − ŷ)² / N), MAE = Σ|y − ŷ| / N, MAPE = 100 · Σ|(y − ŷ) / y| / N (percent).
/// </summary>
public static class RegressionMetrics
{
    /// <summary>Root mean squared error √(Σ(y_i − ŷ_i)² / N).</summary>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        Check(actual, predicted, nameof(Rmse));
        double sum = 0;
        for (int i = 0; i < actual.Length; i++) sum += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute error Σ|y_i − ŷ_i| / N.</summary>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        Check(actual, predicted, nameof(Mae));
        double sum = 0;
        for (int i = 0; i < actual.Length; i++) sum += Math.Abs(actual[i] - predicted[i]);
        return sum / actual.Length;
    }

    /// <summary>Mean absolute percentage error 100 · Σ|(y_i − ŷ_i) / y_i| / N; undefined (throws) when some y_i = 0.</summary>
    public static double Mape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        Check(actual, predicted, nameof(Mape));
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] == 0) throw new ArgumentException($"RegressionMetrics.Mape: true value at {i} is 0; MAPE is undefined.", nameof(actual));
            sum += Math.Abs((actual[i] - predicted[i]) / actual[i]);
        }
        return 100 * sum / actual.Length;
    }

    private static void Check(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, string op)
    {
        if (actual.Length != predicted.Length)
            throw new ArgumentException($"RegressionMetrics.{op}: {actual.Length} true values but {predicted.Length} forecasts.", nameof(predicted));
        if (actual.IsEmpty) throw new ArgumentException($"RegressionMetrics.{op}: no values.", nameof(actual));
    }
}
