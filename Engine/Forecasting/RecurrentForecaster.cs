using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Forecasting;

/// <summary>The settings of a <see cref="RecurrentForecaster"/>.</summary>
/// <param name="Cell">LSTM or GRU (or an Elman RNN).</param>
/// <param name="Hidden">H, hidden units.</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="LookBack">T, past steps per window.</param>
/// <param name="LearningRate">Adam's η.</param>
/// <param name="BatchSize">Windows per step.</param>
/// <param name="MaxSteps">Optimizer steps.</param>
/// <param name="ValidFraction">The last part of the training windows held out to pick the best weights.</param>
/// <param name="Seed">Initial weights and batch order.</param>
/// <param name="LinearPath">Adds the linear path ẑ += A vec(x) of <see cref="RecurrentForecastNetwork{T}"/>.</param>
public sealed record RecurrentForecasterOptions(RecurrentCell Cell = RecurrentCell.Lstm, int Hidden = 32, int Layers = 1, int LookBack = 24,
    double LearningRate = 0.005, int BatchSize = 32, int MaxSteps = 2000, double ValidFraction = 0.2, ulong Seed = 1, bool LinearPath = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Hidden is < 1 or > 4096) throw new ArgumentException($"RecurrentForecasterOptions: hidden size must be in [1, 4096], got {Hidden}.");
        if (Layers is < 1 or > 16) throw new ArgumentException($"RecurrentForecasterOptions: layers must be in [1, 16], got {Layers}.");
        if (LookBack is < 1 or > 100_000) throw new ArgumentException($"RecurrentForecasterOptions: look-back must be in [1, 100000], got {LookBack}.");
        if (!(ValidFraction > 0 && ValidFraction < 1)) throw new ArgumentException($"RecurrentForecasterOptions: the validation fraction must be in (0, 1), got {ValidFraction}.");
        if (BatchSize < 1 || MaxSteps < 1) throw new ArgumentException($"RecurrentForecasterOptions: batch size and steps must be ≥ 1, got {BatchSize} and {MaxSteps}.");
    }
}

/// <summary>
/// A recurrent many-to-one forecaster on an already transformed series z (wrap it in a <see cref="TransformedForecaster"/>
/// for log, differencing and scaling fitted on the training rows):
/// <code>
/// x = (z_{t−T}, …, z_{t−1})          (1, T, 1)
/// h = RNN(x)[:, T − 1, :]              the last step of an LSTM/GRU
/// ẑ_t = W h + b
/// </code>
/// <see cref="Fit"/> trains on every window of the training rows but the last <see cref="RecurrentForecasterOptions.ValidFraction"/>,
/// with the shared <see cref="Trainer{T}"/> (Adam, MSE, shuffled batches), and keeps the weights of the evaluation with the
/// lowest validation MSE. Each <see cref="Forecast"/> is one forward pass over the last T values of the true history.
/// </summary>
public sealed class RecurrentForecaster : IOneStepForecaster
{
    private readonly RecurrentForecasterOptions _options;
    private readonly WorkerPool _pool;
    private RecurrentForecastNetwork<float>? _model;

    /// <summary>Creates an untrained forecaster; <paramref name="pool"/> runs its kernels.</summary>
    public RecurrentForecaster(RecurrentForecasterOptions options, WorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pool);
        options.Validate();
        (_options, _pool) = (options, pool);
    }

    /// <inheritdoc/>
    public string Name => _options.Cell.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public int MinHistory => _options.LookBack;

    /// <summary>The result of the last <see cref="Fit"/>.</summary>
    public TrainingResult? Training { get; private set; }

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        int T = _options.LookBack;
        var windows = SeriesWindows.Build(train, null, new WindowSpec(T), T, train.Length);
        if (windows.Count < 4) throw new ArgumentException($"RecurrentForecaster: {train.Length} training values give {windows.Count} windows of look-back {T}; at least 4 are needed.");
        int valid = Math.Max(1, (int)(windows.Count * _options.ValidFraction));
        int fit = windows.Count - valid;
        float[] x = [.. windows.Inputs.Select(v => (float)v)], y = [.. windows.Targets.Select(v => (float)v)];
        var trainSet = new WindowSet<float>(x[..(fit * T)], y[..fit], T, 1, 1);
        var validSet = new WindowSet<float>(x[(fit * T)..], y[fit..], T, 1, 1);

        var rng = new SeededRng(_options.Seed);
        var model = new RecurrentForecastNetwork<float>(_options.Cell, T, 1, _options.Hidden, _options.Layers, 1, _options.LinearPath, rng);
        var task = new WindowRegressionTask<float>(model, trainSet, validSet, _options.BatchSize, _options.Seed);
        var training = new TrainingOptions
        {
            BatchSize = _options.BatchSize, LearningRate = _options.LearningRate, MaxSteps = _options.MaxSteps, ClipNorm = 1,
            EvalEverySteps = Math.Min(task.BatchesPerEpoch, 50), RestoreBestWeights = true, Seed = _options.Seed,
        };
        Training = new Trainer<float>(model, task, training, _pool).Train();
        model.Eval();
        _model = model;
    }

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> history)
    {
        var model = _model ?? throw new InvalidOperationException("RecurrentForecaster: call Fit first.");
        int T = _options.LookBack;
        if (history.Length < T) throw new ArgumentException($"RecurrentForecaster: {history.Length} history values, look-back {T} needs {T}.");
        var x = new float[T];
        for (int i = 0; i < T; i++) x[i] = (float)history[history.Length - T + i];
        using var noGrad = new NoGradScope();
        return model.Forward(new Var<float>(Tensor<float>.FromArray(x, 1, T, 1)), new LayerContext(Pool: _pool)).Value.Span[0];
    }
}
