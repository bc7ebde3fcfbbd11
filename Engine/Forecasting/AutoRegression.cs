using SeqLearn.Tensors;

namespace SeqLearn.Forecasting;

/// <summary>
/// AR(p) with intercept: ŷ_t = c + φ_1 y_{t−1} + … + φ_p y_{t−p}, fitted by ordinary least squares (QR of the design
/// matrix, <see cref="LeastSquares"/>) on the training rows t = p … n_train − 1, i.e. the conditional least-squares
/// fit of statsmodels' <c>AutoReg(y, lags=p, trend="c")</c>. Fitted once; forecasts read the true history.
/// </summary>
public sealed class AutoRegression : IOneStepForecaster
{
    /// <summary>An AR(<paramref name="order"/>) model, p ≥ 1; call <see cref="Fit"/> before forecasting.</summary>
    public AutoRegression(int order)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), $"AutoRegression: order p must be at least 1 (got {order}).");
        Order = order;
    }

    /// <summary>p.</summary>
    public int Order { get; }

    /// <summary>c.</summary>
    public double Intercept { get; private set; }

    /// <summary>φ_1 … φ_p (φ_i multiplies y_{t−i}); empty until fitted.</summary>
    public double[] Coefficients { get; private set; } = [];

    /// <inheritdoc/>
    public string Name => "ar";

    /// <inheritdoc/>
    public int MinHistory => Order;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        double[] b = FitOls(train, Order, holdBack: Order).Coefficients;
        Intercept = b[0];
        Coefficients = b[1..];
    }

    /// <inheritdoc/>
    public int MaxHistory => Order;

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> history) => Forecast(history, history.Length, nameof(history));

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> recent, int t) => Forecast(recent, t, nameof(recent));

    private double Forecast(ReadOnlySpan<double> recent, int t, string argument)
    {
        if (Coefficients.Length == 0) throw new InvalidOperationException("AutoRegression: call Fit on the training rows first.");
        ForecastHistory.CheckTail(nameof(AutoRegression), recent, t, MaxHistory);
        if (t < Order) throw new ArgumentException($"AutoRegression: AR({Order}) needs {Order} history values, got {t}.", argument);
        double y = Intercept;
        for (int i = 1; i <= Order; i++) y += Coefficients[i - 1] * recent[^i];
        return y;
    }

    /// <summary>
    /// Chooses p ∈ 1 … p_max by Akaike's criterion on a common sample (rows t = p_max … n_train − 1 for every p, so
    /// the criteria compare fits of the same m values): AIC(p) = m·(ln 2π + ln σ̂² + 1) + 2(p + 2), σ̂² = RSS / m,
    /// counting c, φ_1 … φ_p and σ² as parameters, as statsmodels' <c>ar_select_order(…, ic="aic")</c> does.
    /// </summary>
    /// <returns>The chosen order and AIC(p) for p = 1 … p_max (index p − 1); +∞ for the orders above the first whose lags are
    /// linearly dependent (an exactly regular series: they would fit it no better and have no unique coefficients).</returns>
    /// <exception cref="RankDeficientException">Even AR(1) has dependent columns: the training values are constant.</exception>
    public static (int Order, double[] Aic) SelectOrderByAic(ReadOnlySpan<double> train, int maxOrder)
    {
        if (maxOrder < 1) throw new ArgumentOutOfRangeException(nameof(maxOrder), $"AutoRegression.SelectOrderByAic: p_max must be at least 1 (got {maxOrder}).");
        var aic = new double[maxOrder];
        int best = 1;
        Array.Fill(aic, double.PositiveInfinity);
        for (int p = 1; p <= maxOrder; p++)
        {
            double rss;
            int m;
            try { (_, rss, m) = FitOls(train, p, holdBack: maxOrder); }
            catch (RankDeficientException) when (p > 1) { break; }   // the same rows with more lags stay dependent: no higher order fits
            aic[p - 1] = m * (Math.Log(2 * Math.PI) + Math.Log(rss / m) + 1) + 2 * (p + 2);
            if (aic[p - 1] < aic[best - 1]) best = p;
        }
        return (best, aic);
    }

    /// <summary>
    /// OLS of y_{t+j} on (1, y_{t−1}, …, y_{t−p}) over t = holdBack … n − 1 − j (lead j = 0: the one-step AR; j &gt; 0:
    /// the direct regression j + 1 steps ahead): coefficients (c, φ_1 … φ_p), RSS and rows m.
    /// </summary>
    internal static (double[] Coefficients, double Rss, int Rows) FitOls(ReadOnlySpan<double> y, int p, int holdBack, int lead = 0)
    {
        long rows = (long)y.Length - holdBack - lead, columns = (long)p + 1;
        if (rows < columns)   // the rows are the training values of every caller's Fit(train)
            throw new ArgumentException($"AutoRegression: AR({p}) with {holdBack} held-back rows and lead {lead} needs more than {(long)holdBack + lead + p} training values, got {y.Length}.", "train");
        FiniteValues.Require(y, "AutoRegression", "training", nameof(y));
        int m = (int)rows, k = (int)columns;
        var x = new double[ShapeUtil.ArrayLength((long)m * k, "AutoRegression",
            $"AR({p}) on {m} rows: the design matrix m·(p + 1) = {m}·{k}", "use a lower order.")]; // (m, p + 1): a column of ones, then the lags
        var target = new double[m];
        for (int r = 0; r < m; r++)
        {
            int t = holdBack + r;
            x[r * k] = 1;
            for (int i = 1; i <= p; i++) x[r * k + i] = y[t - i];
            target[r] = y[t + lead];
        }
        try
        {
            var (b, rss) = LeastSquares.Solve(x, target, m, k);
            return (b, rss, m);
        }
        catch (RankDeficientException e)
        {
            throw new RankDeficientException(e.Column, $"AutoRegression: AR({p}) cannot be fitted: lag {e.Column} of the training values is a combination of "
                + $"{(e.Column == 1 ? "the constant (the series is constant" : "the constant and the shorter lags (the series follows an exact shorter recurrence, such as a straight line")}"
                + ", as the model sees it: after its transform, if it has one); "
                + (e.Column == 1 ? "no AR model describes it, only a naive forecast." : "a lower order, or a naive forecast, describes it."));
        }
    }
}
