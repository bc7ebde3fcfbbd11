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

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> history) => _pipeline.InverseStep(_inner.Forecast(_pipeline.Forward(history)), history);

    /// <summary>
    /// Parses a comma-separated list of stages, applied in order: <c>log</c>, <c>diffN</c> (difference at lag N, e.g.
    /// <c>diff1</c>, <c>diff12</c>), <c>minmax</c>, <c>standard</c>. An empty list is the identity.
    /// </summary>
    public static TransformPipeline ParsePipeline(string spec)
    {
        var stages = new List<ISeriesTransform>();
        foreach (string part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string name = part.ToLowerInvariant();
            stages.Add(name switch
            {
                "log" => new LogTransform(),
                "minmax" => new MinMaxScaler(),
                "standard" => new StandardScaler(),
                _ when name.StartsWith("diff", StringComparison.Ordinal) && int.TryParse(name[4..], out int lag) && lag >= 1 => new DifferenceTransform(lag),
                _ => throw new FormatException($"transform '{part}' in '{spec}': expected log, diffN (N ≥ 1), minmax or standard."),
            });
        }
        return new TransformPipeline(stages.ToArray());
    }
}
