namespace SeqLearn.Forecasting;

/// <summary>How a model forecasts H steps ahead.</summary>
public enum ForecastStrategy
{
    /// <summary>
    /// A one-step model applied H times, each forecast fed back as history:
    /// ŷ_{t+h} = f(y_0 … y_{t−1}, ŷ_t … ŷ_{t+h−1}), h = 0 … H−1.
    /// </summary>
    Recursive,

    /// <summary>
    /// One model with H outputs read from the true history only: (ŷ_t, …, ŷ_{t+H−1}) = f(y_0 … y_{t−1}), each output
    /// trained on its own lead (MIMO-direct for a network, one regression per lead for AR).
    /// </summary>
    Direct,
}

/// <summary>
/// A model that forecasts the next H values ŷ_t … ŷ_{t+H−1} from the true history y_0 … y_{t−1}. Like an
/// <see cref="IOneStepForecaster"/> it is fitted once, on the training rows, and then asked for one path per origin t.
/// </summary>
public interface IMultiStepForecaster
{
    /// <summary>Row name in reports, e.g. <c>ar</c>, <c>lstm</c>.</summary>
    string Name { get; }

    /// <summary>Fewest history values <see cref="ForecastPath(ReadOnlySpan{double})"/> needs.</summary>
    int MinHistory { get; }

    /// <summary>H ≥ 1, the length of each forecast path.</summary>
    int Horizon { get; }

    /// <summary>Learns from the training rows only.</summary>
    void Fit(ReadOnlySpan<double> train);

    /// <summary>(ŷ_t, …, ŷ_{t+H−1}) given <paramref name="history"/> = y_0 … y_{t−1}; element h is the forecast h + 1 steps ahead.</summary>
    double[] ForecastPath(ReadOnlySpan<double> history);

    /// <summary>
    /// Most recent history values <see cref="ForecastPath(ReadOnlySpan{double})"/> reads, as
    /// <see cref="IOneStepForecaster.MaxHistory"/>: the path depends on the history only through its last MaxHistory
    /// values and its length t. <see cref="int.MaxValue"/>, the default, for a model that may read every value.
    /// </summary>
    int MaxHistory => int.MaxValue;

    /// <summary>
    /// The path from the tail <paramref name="recent"/> = y_{t−m} … y_{t−1} of a history of length <paramref name="t"/>
    /// (m at least min(t, <see cref="MaxHistory"/>)): the same values as <see cref="ForecastPath(ReadOnlySpan{double})"/>
    /// on the whole history. The default accepts only the whole history (m = t).
    /// </summary>
    double[] ForecastPath(ReadOnlySpan<double> recent, int t) => recent.Length == t
        ? ForecastPath(recent)
        : throw new NotSupportedException($"{Name}: forecasting from the last {recent.Length} of {t} history values needs a finite MaxHistory and its own ForecastPath(recent, t).");
}

/// <summary>
/// The recursive strategy as an <see cref="IMultiStepForecaster"/>: a one-step model applied H times with its forecasts
/// fed back (<see cref="FutureForecast.Recursive(IOneStepForecaster, ReadOnlySpan{double}, int)"/>).
/// </summary>
public sealed class RecursiveForecaster : IMultiStepForecaster
{
    /// <summary>Forecasts <paramref name="horizon"/> steps with <paramref name="oneStep"/>.</summary>
    public RecursiveForecaster(IOneStepForecaster oneStep, int horizon)
    {
        ArgumentNullException.ThrowIfNull(oneStep);
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), $"RecursiveForecaster: horizon must be at least 1, got {horizon}.");
        (OneStep, Horizon) = (oneStep, horizon);
    }

    /// <summary>The one-step model.</summary>
    public IOneStepForecaster OneStep { get; }

    /// <inheritdoc/>
    public string Name => OneStep.Name;

    /// <inheritdoc/>
    public int MinHistory => OneStep.MinHistory;

    /// <inheritdoc/>
    public int Horizon { get; }

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train) => OneStep.Fit(train);

    /// <inheritdoc/>
    public int MaxHistory => OneStep.MaxHistory;

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> history) => FutureForecast.Recursive(OneStep, history, Horizon);

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> recent, int t) => FutureForecast.Recursive(OneStep, recent, t, Horizon);
}
