using System.Globalization;

namespace SeqLearn.Forecasting;

/// <summary>
/// A forecaster that works on a transformed series: the pipeline is fitted on the training rows, the inner model is
/// fitted on z = pipeline(train), and each forecast is ẑ_t = inner(z of the true history), taken back to original
/// units by <see cref="TransformPipeline.InverseStep"/> (e.g. log → diff(12): ŷ_t = y_{t−12} · exp ẑ_t).
/// </summary>
public sealed class TransformedForecaster : IOneStepForecaster
{
    private readonly TransformPipeline _pipeline;
    private readonly IOneStepForecaster _inner;

    /// <summary>Runs <paramref name="inner"/> on the output of <paramref name="pipeline"/>.</summary>
    public TransformedForecaster(TransformPipeline pipeline, IOneStepForecaster inner)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(inner);
        _pipeline = pipeline;
        _inner = inner;
    }

    /// <summary>The inner model's name (the report keeps one name per kind of model; the transform is reported beside it).</summary>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public int MinHistory => _inner.MinHistory + _pipeline.Lag;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        _pipeline.Fit(train);
        _inner.Fit(_pipeline.Forward(train));
    }

    /// <summary>The inner model's window widened by the transform's lag: the x values the transformed window comes from.</summary>
    public int MaxHistory => ForecastHistory.Widen(_inner.MaxHistory, _pipeline.Lag);

    /// <summary>
    /// x̂_t in original units given the true history x_0 … x_{t−1}, which needs at least <see cref="MinHistory"/> values
    /// (the pipeline's lag plus the inner model's; fewer is an <see cref="ArgumentException"/> saying so).
    /// </summary>
    public double Forecast(ReadOnlySpan<double> history) => Forecast(history, history.Length, nameof(history));

    /// <summary>
    /// x̂_t from the tail <paramref name="recent"/> of a history of length <paramref name="t"/>: only the last
    /// <see cref="MaxHistory"/> values pass through the pipeline (its stages are causal: z_i depends on x_i … x_{i+Lag}),
    /// and the inner model forecasts ẑ_t from their transforms as the tail of a z history of length t − Lag.
    /// </summary>
    public double Forecast(ReadOnlySpan<double> recent, int t) => Forecast(recent, t, nameof(recent));

    private double Forecast(ReadOnlySpan<double> recent, int t, string argument)
    {
        if (t < MinHistory)
            throw new ArgumentException($"TransformedForecaster: {_inner.Name} after {_pipeline.Name} needs {MinHistory} history values " +
                                        $"({_pipeline.Lag} for the transform, {_inner.MinHistory} for the model), got {t}.", argument);
        ForecastHistory.CheckTail(nameof(TransformedForecaster), recent, t, MaxHistory);
        ReadOnlySpan<double> x = ForecastHistory.Tail(recent, MaxHistory);
        double[] z = Transform(_pipeline, x, recent);
        return _pipeline.InverseStep(_inner.Forecast(z, t - _pipeline.Lag), x);
    }

    /// <summary>
    /// pipeline(x) for a tail x of <paramref name="recent"/>. A stage that refuses a value (log of a non-positive one)
    /// names its row within its input: the whole of <paramref name="recent"/> is then transformed again, so that the row
    /// in the message counts from the start of what the caller passed.
    /// </summary>
    internal static double[] Transform(TransformPipeline pipeline, ReadOnlySpan<double> x, ReadOnlySpan<double> recent)
    {
        try { return pipeline.Forward(x); }
        catch (ArgumentException) when (x.Length < recent.Length)
        {
            pipeline.Forward(recent);
            throw;
        }
    }

    /// <summary>
    /// Parses a comma-separated list of stages, applied in order: <c>log</c>, <c>diffN</c> (difference at lag N, e.g.
    /// <c>diff1</c>, <c>diff12</c>; also written <c>diff(12)</c>, as <see cref="TransformPipeline.Name"/> prints it),
    /// <c>minmax</c>, <c>standard</c>. An empty list is the identity; an unknown stage is a <see cref="FormatException"/>.
    /// </summary>
    public static TransformPipeline ParsePipeline(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stages = new List<ISeriesTransform>();
        foreach (string part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string name = part.ToLowerInvariant();
            stages.Add(name switch
            {
                "log" => new LogTransform(),
                "minmax" => new MinMaxScaler(),
                "standard" => new StandardScaler(),
                _ when name.StartsWith("diff", StringComparison.Ordinal) && int.TryParse(LagText(name[4..]), NumberStyles.Integer, CultureInfo.InvariantCulture, out int lag)
                       && lag >= 1 => new DifferenceTransform(lag),
                _ => throw new FormatException($"transform '{part}' in '{spec}': expected log, diffN (N ≥ 1), minmax or standard."),
            });
        }
        return new TransformPipeline(stages.ToArray());
    }

    // "12" or "(12)" → "12"; anything else is returned as is (and fails to parse).
    private static string LagText(string s) => s.Length >= 2 && s[0] == '(' && s[^1] == ')' ? s[1..^1] : s;
}
