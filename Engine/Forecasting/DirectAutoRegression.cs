namespace SeqLearn.Forecasting;

/// <summary>
/// The direct strategy for AR(p): one OLS regression per lead h = 0 … H−1 on the same p lags,
/// <code>
/// ŷ_{t+h} = c⁽ʰ⁾ + φ⁽ʰ⁾_1 y_{t−1} + … + φ⁽ʰ⁾_p y_{t−p}
/// </code>
/// each fitted on the training rows t = p … n_train − 1 − h (its target y_{t+h} inside them), so the forecast h + 1 steps
/// ahead reads true values only. Lead 0 is <see cref="AutoRegression"/>'s fit.
/// </summary>
public sealed class DirectAutoRegression : IMultiStepForecaster
{
    private double[][] _coefficients = []; // H rows of (c⁽ʰ⁾, φ⁽ʰ⁾_1 … φ⁽ʰ⁾_p)

    /// <summary>AR(<paramref name="order"/>) regressions for leads 0 … <paramref name="horizon"/> − 1.</summary>
    public DirectAutoRegression(int order, int horizon)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), $"DirectAutoRegression: order p must be at least 1 (got {order}).");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), $"DirectAutoRegression: horizon H must be at least 1 (got {horizon}).");
        (Order, Horizon) = (order, horizon);
    }

    /// <summary>p.</summary>
    public int Order { get; }

    /// <inheritdoc/>
    public int Horizon { get; }

    /// <inheritdoc/>
    public string Name => "ar";

    /// <inheritdoc/>
    public int MinHistory => Order;

    /// <summary>(c⁽ʰ⁾, φ⁽ʰ⁾_1 … φ⁽ʰ⁾_p) of lead h; empty until fitted.</summary>
    public IReadOnlyList<double[]> Coefficients => _coefficients;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        var b = new double[Horizon][];
        for (int h = 0; h < Horizon; h++) b[h] = AutoRegression.FitOls(train, Order, holdBack: Order, lead: h).Coefficients;
        _coefficients = b;
    }

    /// <inheritdoc/>
    public int MaxHistory => Order;

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> history) => ForecastPath(history, history.Length, nameof(history));

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> recent, int t) => ForecastPath(recent, t, nameof(recent));

    private double[] ForecastPath(ReadOnlySpan<double> recent, int t, string argument)
    {
        if (_coefficients.Length == 0) throw new InvalidOperationException("DirectAutoRegression: call Fit on the training rows first.");
        ForecastHistory.CheckTail(nameof(DirectAutoRegression), recent, t, MaxHistory);
        if (t < Order) throw new ArgumentException($"DirectAutoRegression: AR({Order}) needs {Order} history values, got {t}.", argument);
        var path = new double[Horizon];
        for (int h = 0; h < Horizon; h++)
        {
            double[] b = _coefficients[h];
            double y = b[0];
            for (int i = 1; i <= Order; i++) y += b[i] * recent[^i];
            path[h] = y;
        }
        return path;
    }
}
