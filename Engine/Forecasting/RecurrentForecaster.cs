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
/// <param name="Calendar">Calendar features (sin θ, cos θ of each input step's date) beside the value: F = 3 instead of 1.</param>
/// <param name="Horizon">
/// H, the horizon (not the hidden size): outputs of the network, one per lead; 1 for the many-to-one model, H &gt; 1 for
/// the direct strategy, ẑ_t … ẑ_{t+H−1} from one window.
/// </param>
public sealed record RecurrentForecasterOptions(RecurrentCell Cell = RecurrentCell.Lstm, int Hidden = 32, int Layers = 1, int LookBack = 24,
    double LearningRate = 0.005, int BatchSize = 32, int MaxSteps = 2000, double ValidFraction = 0.2, ulong Seed = 1, bool LinearPath = false,
    CalendarFeatures Calendar = CalendarFeatures.None, int Horizon = 1)
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first invalid setting, its <see cref="ArgumentException.ParamName"/>
    /// the setting's name.
    /// </summary>
    public void Validate() => Validate(paramName: null);

    /// <summary>
    /// As <see cref="Validate()"/>; the exception's <see cref="ArgumentException.ParamName"/> is <paramref name="paramName"/>,
    /// the parameter of the caller that was given these options, or the setting's name when it is null.
    /// </summary>
    internal void Validate(string? paramName)
    {
        if (Hidden is < 1 or > 4096) throw Invalid(paramName ?? nameof(Hidden), $"hidden size must be in [1, 4096], got {Hidden}.");
        if (Layers is < 1 or > 16) throw Invalid(paramName ?? nameof(Layers), $"layers must be in [1, 16], got {Layers}.");
        if (LookBack is < 1 or > 100_000) throw Invalid(paramName ?? nameof(LookBack), $"look-back must be in [1, 100000], got {LookBack}.");
        if (!(ValidFraction > 0 && ValidFraction < 1)) throw Invalid(paramName ?? nameof(ValidFraction), $"the validation fraction must be in (0, 1), got {ValidFraction}.");
        if (Horizon is < 1 or > 100_000) throw Invalid(paramName ?? nameof(Horizon), $"horizon must be in [1, 100000], got {Horizon}.");
        if (BatchSize < 1 || MaxSteps < 1)
            throw Invalid(paramName ?? (BatchSize < 1 ? nameof(BatchSize) : nameof(MaxSteps)), $"batch size and steps must be ≥ 1, got {BatchSize} and {MaxSteps}.");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw Invalid(paramName ?? nameof(LearningRate), $"learning rate must be a positive number, got {LearningRate}.");
        Checks.Defined(Cell, "RecurrentForecasterOptions", nameof(Cell));
        Checks.Defined(Calendar, "RecurrentForecasterOptions", nameof(Calendar));
    }

    private static ArgumentException Invalid(string setting, string message) => new("RecurrentForecasterOptions: " + message, setting);

    /// <summary>F, the features per input step: the value, with sin θ and cos θ of its date when calendar features are on.</summary>
    public int Features => Calendar == CalendarFeatures.None ? 1 : 3;

    /// <summary>
    /// P, the trainable values of the network, without building it: with G gates, r(i) = G·H·(i + H + 2) one layer over
    /// inputs of width i and K = <see cref="Horizon"/> outputs, P = r(F) + (L − 1)·r(H) + K·(H + 1) + [linear path] T·F·K
    /// (saturating).
    /// </summary>
    public long ParameterCount()
    {
        double g = Gates, h = Hidden, k = Horizon;
        double R(double input) => g * h * (input + h + 2);
        return MemoryBudget.Saturate(R(Features) + (Layers - 1) * R(h) + k * (h + 1) + (LinearPath ? (double)LookBack * Features * k : 0));
    }

    /// <summary>A, the activation values of one batch with their gradients: 2·B·T·(F + L·(G + 3)·H) (saturating).</summary>
    public long ActivationValues() => MemoryBudget.Saturate(2.0 * BatchSize * LookBack * (Features + (double)Layers * (Gates + 3) * Hidden));

    private int Gates => CellSpec.Of(Cell).Gates;
}

/// <summary>
/// A recurrent forecaster on an already transformed series z (wrap it in a <see cref="TransformedForecaster"/>, or a
/// <see cref="TransformedMultiStepForecaster"/> for its H outputs, for log, differencing and scaling fitted on the
/// training rows). Many-to-one (H = 1) or MIMO-direct (H = <see cref="RecurrentForecasterOptions.Horizon"/> &gt; 1):
/// <code>
/// x = (z_{t−T}, …, z_{t−1})              (1, T, 1); (1, T, 3) with calendar features (z, sin θ, cos θ of each step's date)
/// h = RNN(x)[:, T − 1, :]                  the last step of an LSTM/GRU
/// (ẑ_t, …, ẑ_{t+H−1}) = W h + b            (1, H); W has H rows, one per lead
/// L = (1 / B·H) Σ_{b,j} (ẑ_{t_b+j} − z_{t_b+j})²   one MSE over all H outputs
/// </code>
/// <see cref="Fit"/> trains on every window of the training rows (all H targets inside them) but the last
/// <see cref="RecurrentForecasterOptions.ValidFraction"/>, with the shared <see cref="Trainer{T}"/> (Adam, MSE, shuffled
/// batches), and keeps the weights of the evaluation with the lowest validation MSE. Each forecast is one forward pass
/// over the last T values of the true history: <see cref="ForecastPath(ReadOnlySpan{double})"/> returns the H outputs (output h is the
/// forecast h + 1 steps ahead), <see cref="Forecast(ReadOnlySpan{double})"/> output 0, the one-step forecast.
/// </summary>
public sealed class RecurrentForecaster : IOneStepForecaster, IMultiStepForecaster
{
    private readonly RecurrentForecasterOptions _options;
    private readonly WorkerPool? _pool;                  // null: the calling thread
    private readonly IReadOnlyList<string>? _dates;
    private RecurrentForecastNetwork<float>? _model;

    /// <summary>
    /// Creates an untrained forecaster; <paramref name="pool"/> runs its kernels (null: the calling thread only). With
    /// calendar features, <paramref name="dates"/>[i] is the date of value i of the series <see cref="Fit"/> and <see cref="Forecast(ReadOnlySpan{double})"/> are
    /// given (after a transform of lag L: the original dates from row L on), reaching at least the last forecast row.
    /// <para>
    /// The network sees the values as given: a raw series far from unit scale, or with a trend, trains poorly and
    /// forecasts outside the range it saw. Wrap it in a <see cref="TransformedForecaster"/> that scales (and, for a
    /// trend or a season, differences) the series on its training rows and undoes it on each forecast.
    /// </para>
    /// </summary>
    /// <example>
    /// <code>
    /// var model = new TransformedForecaster(
    ///     new TransformPipeline(new LogTransform(), new DifferenceTransform(12), new StandardScaler()),
    ///     new RecurrentForecaster(new RecurrentForecasterOptions(LookBack: 12)));
    /// model.Fit(train);                          // original units in, ...
    /// double next = model.Forecast(history);     // ... and out
    /// </code>
    /// </example>
    public RecurrentForecaster(RecurrentForecasterOptions options, WorkerPool? pool = null, IReadOnlyList<string>? dates = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        if (options.Calendar != CalendarFeatures.None && dates is null)
            throw new ArgumentException($"RecurrentForecaster: calendar features ({options.Calendar}) need the dates of the series.", nameof(dates));
        (_options, _pool, _dates) = (options, pool, dates);
    }

    private WindowSpec Spec => new(_options.LookBack, _options.Horizon, _options.Calendar);

    /// <inheritdoc/>
    public string Name => _options.Cell.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public int MinHistory => _options.LookBack;

    /// <inheritdoc/>
    public int Horizon => _options.Horizon;

    /// <summary>The result of the last <see cref="Fit"/>.</summary>
    public TrainingResult? Training { get; private set; }

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        int T = _options.LookBack, F = Spec.Features, H = _options.Horizon;
        FiniteValues.Require(train, "RecurrentForecaster.Fit", "training", nameof(train), limit: float.MaxValue); // the network computes in float
        var windows = SeriesWindows.Build(train, _dates, Spec, T, train.Length);
        if (windows.Count < 4)
            throw new ArgumentException($"RecurrentForecaster: {train.Length} training values give {windows.Count} windows of look-back {T} and horizon {H}; at least 4 are needed.", nameof(train));
        int valid = Math.Max(1, (int)(windows.Count * _options.ValidFraction));
        int fit = windows.Count - valid;
        float[] x = [.. windows.Inputs.Select(v => (float)v)], y = [.. windows.Targets.Select(v => (float)v)];
        // fit < B windows, and SeriesWindows.Build refuses B·T·F or B·H past one array, so fit·T·F and fit·H fit in an int.
        var trainSet = new WindowSet<float>(x[..(fit * T * F)], y[..(fit * H)], T, F, H);          // (N, T, F) → (N, H)
        var validSet = new WindowSet<float>(x[(fit * T * F)..], y[(fit * H)..], T, F, H);

        var rng = new SeededRng(_options.Seed);
        var model = new RecurrentForecastNetwork<float>(_options.Cell, T, F, _options.Hidden, _options.Layers, H, _options.LinearPath, rng);
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

    /// <summary>The look-back T: a forecast reads the last T values (and, with calendar features, their dates).</summary>
    public int MaxHistory => _options.LookBack;

    /// <summary>ẑ_t given <paramref name="history"/> = z_0 … z_{t−1}: output 0 of the network.</summary>
    public double Forecast(ReadOnlySpan<double> history) => Outputs(history, history.Length, nameof(history))[0];

    /// <inheritdoc/>
    public double Forecast(ReadOnlySpan<double> recent, int t) => Outputs(recent, t, nameof(recent))[0];

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> history) => Outputs(history, history.Length, nameof(history));

    /// <inheritdoc/>
    public double[] ForecastPath(ReadOnlySpan<double> recent, int t) => Outputs(recent, t, nameof(recent));

    // (ẑ_t, …, ẑ_{t+H−1}): one forward pass over the window of rows t − T … t − 1, the last T values of recent.
    private double[] Outputs(ReadOnlySpan<double> recent, int t, string argument)
    {
        var model = _model ?? throw new InvalidOperationException("RecurrentForecaster: call Fit first.");
        if (t < _options.LookBack)
            throw new ArgumentException($"RecurrentForecaster: a forecast needs the last {_options.LookBack} values (the look-back), got {t}.", argument);
        ForecastHistory.CheckTail(nameof(RecurrentForecaster), recent, t, MaxHistory);
        FiniteValues.Require(recent[^_options.LookBack..], "RecurrentForecaster", "history", argument, t - _options.LookBack, float.MaxValue);
        double[] window = SeriesWindows.Latest(recent, t, _dates, Spec);                            // (T, F)
        using var noGrad = new NoGradScope();
        var x = Tensor<float>.FromArray([.. window.Select(v => (float)v)], 1, _options.LookBack, Spec.Features);
        var y = model.Forward(new Var<float>(x), new LayerContext(Pool: _pool)).Value.Span;          // (1, H)
        var outputs = new double[y.Length];
        for (int h = 0; h < y.Length; h++) outputs[h] = y[h];
        return outputs;
    }
}
