namespace SeqLearn.Forecasting;

/// <summary>
/// Stages applied in order, x → z⁽¹⁾ → … → z⁽ᴷ⁾ (e.g. log, diff(12), standard), each fitted on the training rows
/// after the earlier stages. Because a stage's parameters come from the training rows only, a forecast on a target
/// row uses nothing of the target rows except the true history before it, exactly as a model deployed at that time.
/// </summary>
public sealed class TransformPipeline
{
    private readonly ISeriesTransform[] _stages;

    /// <summary>A pipeline of <paramref name="stages"/>, applied first to last (none: the identity).</summary>
    public TransformPipeline(params ISeriesTransform[] stages) => _stages = stages;

    /// <summary>The stages in application order.</summary>
    public IReadOnlyList<ISeriesTransform> Stages => _stages;

    /// <summary>Rows the whole pipeline consumes at the front (sum of the stages' lags).</summary>
    public int Lag => _stages.Sum(s => s.Lag);

    /// <summary>Names joined, e.g. <c>log → diff(12) → standard</c>; <c>identity</c> when empty.</summary>
    public string Name => _stages.Length == 0 ? "identity" : string.Join(" → ", _stages.Select(s => s.Name));

    /// <summary>Fits every stage on rows [0, n_train) of <paramref name="values"/>; the target rows are never read.</summary>
    public TransformPipeline FitOnTrain(double[] values, ForecastSplit split) => Fit(split.Train(values));

    /// <summary>Fits stage k on the training values passed through stages 1 … k−1.</summary>
    public TransformPipeline Fit(ReadOnlySpan<double> train)
    {
        double[] x = train.ToArray();
        foreach (var stage in _stages)
        {
            stage.Fit(x);
            x = stage.Forward(x);
        }
        return this;
    }

    /// <summary>z⁽ᴷ⁾ of <paramref name="x"/>: <paramref name="x"/>.Length − <see cref="Lag"/> values; z_i belongs to time i + Lag.</summary>
    public double[] Forward(ReadOnlySpan<double> x) => Forward(x, _stages.Length);

    /// <summary>x from z⁽ᴷ⁾ and the first <see cref="Lag"/> values of x (<paramref name="head"/>).</summary>
    public double[] Inverse(ReadOnlySpan<double> z, ReadOnlySpan<double> head)
    {
        double[] v = z.ToArray();
        for (int k = _stages.Length - 1; k >= 0; k--) v = _stages[k].Inverse(v, Forward(head, k));
        return v;
    }

    /// <summary>
    /// x̂_t in original units from ẑ_t forecast in the transformed space, given the true history x_0 … x_{t−1}:
    /// the stages are undone last to first, each reading its own input history (the true history through the stages
    /// before it).
    /// </summary>
    public double InverseStep(double z, ReadOnlySpan<double> history)
    {
        double v = z;
        for (int k = _stages.Length - 1; k >= 0; k--)
        {
            double[] input = k == 0 ? history.ToArray() : Forward(history, k);
            v = _stages[k].InverseStep(v, input);
        }
        return v;
    }

    private double[] Forward(ReadOnlySpan<double> x, int stages)
    {
        double[] v = x.ToArray();
        for (int k = 0; k < stages; k++) v = _stages[k].Forward(v);
        return v;
    }
}
