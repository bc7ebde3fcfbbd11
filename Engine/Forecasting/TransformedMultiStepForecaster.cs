namespace SeqLearn.Forecasting;

/// <summary>
/// A multi-step forecaster that works on a transformed series: the pipeline is fitted on the training rows, the inner
/// model on z = pipeline(train), and each path (ẑ_t, …, ẑ_{t+H−1}) = inner(z of the true history) is taken back to
/// original units by <see cref="TransformPipeline.InversePath"/> (e.g. diff(1): ŷ_{t+h} = y_{t−1} + Σ_{j≤h} ẑ_{t+j}).
/// The multi-step counterpart of <see cref="TransformedForecaster"/>.
/// </summary>
public sealed class TransformedMultiStepForecaster : IMultiStepForecaster
{
    private readonly TransformPipeline _pipeline;
    private readonly IMultiStepForecaster _inner;

    /// <summary>Runs <paramref name="inner"/> on the output of <paramref name="pipeline"/>.</summary>
    public TransformedMultiStepForecaster(TransformPipeline pipeline, IMultiStepForecaster inner)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(inner);
        (_pipeline, _inner) = (pipeline, inner);
    }

    /// <summary>The inner model's name.</summary>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public int MinHistory => _inner.MinHistory + _pipeline.Lag;

    /// <inheritdoc/>
    public int Horizon => _inner.Horizon;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        _pipeline.Fit(train);
        _inner.Fit(_pipeline.Forward(train));
    }

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> history) => _pipeline.InversePath(_inner.ForecastPath(_pipeline.Forward(history)), history);
}
