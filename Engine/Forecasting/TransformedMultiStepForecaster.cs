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

    /// <summary>The inner model's window widened by the transform's lag.</summary>
    public int MaxHistory => ForecastHistory.Widen(_inner.MaxHistory, _pipeline.Lag);

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> history) => ForecastPath(history, history.Length);

    /// <summary>The path from the tail <paramref name="recent"/> of a history of length <paramref name="t"/>; only the last <see cref="MaxHistory"/> values are transformed.</summary>
    public double[] ForecastPath(ReadOnlySpan<double> recent, int t)
    {
        ForecastHistory.CheckTail(nameof(TransformedMultiStepForecaster), recent, t, MaxHistory);
        ReadOnlySpan<double> x = ForecastHistory.Tail(recent, MaxHistory);
        double[] z = TransformedForecaster.Transform(_pipeline, x, recent);
        return _pipeline.InversePath(_inner.ForecastPath(z, t - _pipeline.Lag), x);
    }
}
