using SeqLearn.Forecasting;
using SeqLearn.Kernels;

namespace Consumer;

/// <summary>A one-step LSTM forecaster of a noisy sine wave, scored on the last 100 points it never saw.</summary>
public static class RegressorProgram
{
    public static int Run()
    {
        const int n = 600, test = 100, period = 24;
        var noise = new Random(7);
        double[] y = [.. Enumerable.Range(0, n).Select(t => Math.Sin(2 * Math.PI * t / period) + 0.05 * (noise.NextDouble() - 0.5))];

        using var pool = new WorkerPool(1);
        var model = new RecurrentForecaster(new RecurrentForecasterOptions(Hidden: 16, LookBack: period, MaxSteps: 300, Seed: 1), pool);
        model.Fit(y.AsSpan(0, n - test));
        double se = 0, seNaive = 0;
        for (int t = n - test; t < n; t++)
        {
            double e = model.Forecast(y.AsSpan(0, t)) - y[t];
            se += e * e;
            seNaive += (y[t - 1] - y[t]) * (y[t - 1] - y[t]);
        }
        double rmse = Math.Sqrt(se / test), rmseNaive = Math.Sqrt(seNaive / test);
        Console.WriteLine($"regressor: sine one-step RMSE {rmse:F4}, persistence {rmseNaive:F4} (needs < half of it)");
        return rmse < 0.5 * rmseNaive ? 0 : 1;
    }
}
