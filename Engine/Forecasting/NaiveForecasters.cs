namespace SeqLearn.Forecasting;

/// <summary>Persistence (random-walk forecast): ŷ_t = y_{t−1}. Nothing to fit.</summary>
public sealed class PersistenceForecaster : IOneStepForecaster
{
    /// <inheritdoc/>
    public string Name => "persistence";

    /// <inheritdoc/>
    public int MinHistory => 1;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train) { }

    /// <inheritdoc/>
    public int MaxHistory => 1;

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> history) => Forecast(history, history.Length, nameof(history));

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> recent, int t) => Forecast(recent, t, nameof(recent));

    private double Forecast(ReadOnlySpan<double> recent, int t, string argument)
    {
        ForecastHistory.CheckTail(nameof(PersistenceForecaster), recent, t, MaxHistory);
        return t == 0 ? throw new ArgumentException("PersistenceForecaster: needs 1 history value, got none.", argument) : recent[^1];
    }
}

/// <summary>Seasonal naive: ŷ_t = y_{t−s}, the value one season (s rows) earlier. Nothing to fit.</summary>
public sealed class SeasonalNaiveForecaster : IOneStepForecaster
{
    /// <summary>Season length s ≥ 1 in rows (12 for monthly data, 365 for daily data with a yearly cycle).</summary>
    public SeasonalNaiveForecaster(int season)
    {
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), $"SeasonalNaiveForecaster: season must be at least 1 (got {season}).");
        Season = season;
    }

    /// <summary>s.</summary>
    public int Season { get; }

    /// <inheritdoc/>
    public string Name => "seasonal-naive";

    /// <inheritdoc/>
    public int MinHistory => Season;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train) { }

    /// <inheritdoc/>
    public int MaxHistory => Season;

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> history) => Forecast(history, history.Length, nameof(history));

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> recent, int t) => Forecast(recent, t, nameof(recent));

    private double Forecast(ReadOnlySpan<double> recent, int t, string argument)
    {
        ForecastHistory.CheckTail(nameof(SeasonalNaiveForecaster), recent, t, MaxHistory);
        return t < Season
            ? throw new ArgumentException($"SeasonalNaiveForecaster: season {Season} needs {Season} history values, got {t}.", argument)
            : recent[^Season];
    }
}
