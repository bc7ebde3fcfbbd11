using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;

namespace SeqLearn.Training;

/// <summary>
/// Everything a <see cref="Trainer{T}"/> needs besides the model, the task and the worker pool: optimizer, schedule,
/// clipping, when to stop, when to evaluate, what to monitor, where to save. Defaults are those of the tiny-shakespeare
/// char-LSTM baseline (B = 32, T = 64, Adam η = 0.002, clip 5). At least one of <see cref="Epochs"/>,
/// <see cref="TimeBudget"/> and <see cref="MaxSteps"/> must be set.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>B, the rows of a batch (sequences, or parallel streams of a language model).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>T, the steps of one truncated-BPTT window (language-model tasks).</summary>
    public int Bptt { get; init; } = 64;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>η₀.</summary>
    public double LearningRate { get; init; } = 0.002;

    /// <summary>SGD momentum μ (0 = none).</summary>
    public double Momentum { get; init; }

    /// <summary>SGD Nesterov momentum (needs μ &gt; 0).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Weight decay λ (L2 for SGD and Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>s for <see cref="ScheduleKind.StepDecay"/>: decay every s epochs.</summary>
    public int StepSize { get; init; } = 1;

    /// <summary>γ, the decay factor of step decay and reduce-on-plateau.</summary>
    public double Gamma { get; init; } = 0.5;

    /// <summary>Step decay: the first epoch (0-based) run at a decayed rate; null = <see cref="StepSize"/> (plain StepLR).</summary>
    public int? FirstDecayEpoch { get; init; }

    /// <summary>Evaluations without improvement before reduce-on-plateau lowers η.</summary>
    public int PlateauPatience { get; init; }

    /// <summary>η_min for cosine annealing and reduce-on-plateau.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>The maximum global gradient norm (2-norm over all parameters); null disables clipping.</summary>
    public double? ClipNorm { get; init; } = 5;

    /// <summary>Stop after this many passes over the training stream.</summary>
    public int? Epochs { get; init; }

    /// <summary>Stop at the first step that ends past this much training time (evaluation time is not counted).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Stop after this many optimizer steps in total (counting the steps of a resumed checkpoint).</summary>
    public long? MaxSteps { get; init; }

    /// <summary>
    /// Evaluate on the validation stream every this many steps (0 = not by step count: only at the end, unless
    /// <see cref="EvalEveryTime"/> is set).
    /// </summary>
    public int EvalEverySteps { get; init; }

    /// <summary>Also evaluate once this much training time has passed since the previous evaluation (null = never).</summary>
    public TimeSpan? EvalEveryTime { get; init; }

    /// <summary>The validation metric that picks the best checkpoint, drives early stopping and reduce-on-plateau ("loss" by default).</summary>
    public string Monitor { get; init; } = "loss";

    /// <summary>Whether <see cref="Monitor"/> improves downwards (a loss) or upwards (accuracy, BLEU).</summary>
    public MetricGoal MonitorGoal { get; init; } = MetricGoal.Minimize;

    /// <summary>Early stopping: stop after this many evaluations in a row without a new best <see cref="Monitor"/> (null = never).</summary>
    public int? Patience { get; init; }

    /// <summary>
    /// At the end of <see cref="Trainer{T}.Train"/>, put back the weights of the evaluation with the best monitored metric
    /// (kept in memory), as Keras's <c>restore_best_weights</c>; otherwise the model keeps its last weights.
    /// </summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>
    /// Parts each batch is split into (1 = none). With P &gt; 1 the task must be an <see cref="IMicroBatchedTask{T}"/>: the P parts run
    /// side by side on the pool's threads, each part's forward and backward on one thread (its products on a pool of its own
    /// when there are at least two threads per part) into its own gradients, which are added in part order. The result
    /// depends on P, never on the thread count (docs/training.md#micro-batches).
    /// </summary>
    public int MicroBatches { get; init; } = 1;

    /// <summary>Seed of the dropout RNG (the model's initial weights and the task's shuffling come from the caller's seeds).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Report progress every this many steps (evaluations are always reported).</summary>
    public int ProgressEvery { get; init; } = 10;

    /// <summary>
    /// When set, <c>{dir}/best</c> is written whenever the monitored validation metric improves (the loss, or e.g. BLEU for
    /// translation) and <c>{dir}/last</c> after every evaluation and at the end (each atomically, with everything needed
    /// to resume).
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>When set, a JSON-lines <see cref="MetricsLog"/> (appended to) gets one record per progress report and evaluation.</summary>
    public string? MetricsPath { get; init; }

    /// <summary>The optimizer these options describe.</summary>
    public OptimizerSettings OptimizerSettings => new(Optimizer, LearningRate, Momentum, Nesterov, WeightDecay);

    /// <summary>The learning-rate schedule these options describe.</summary>
    public ScheduleSettings ScheduleSettings => new(Schedule, StepSize, Gamma, FirstDecayEpoch, PlateauPatience, MinLearningRate, Epochs);

    /// <summary>The largest <see cref="MicroBatches"/>.</summary>
    public const int MaxMicroBatches = 64;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate() => Validate(paramName: null);

    /// <summary>
    /// As <see cref="Validate()"/>, the exception naming <paramref name="paramName"/>: the parameter of the caller that was
    /// given these options.
    /// </summary>
    internal void Validate(string? paramName)
    {
        if (BatchSize < 1) throw new ArgumentException($"TrainingOptions: batch size must be ≥ 1, got {BatchSize}.", paramName);
        if (Bptt < 1) throw new ArgumentException($"TrainingOptions: BPTT length must be ≥ 1, got {Bptt}.", paramName);
        if ((long)BatchSize * Bptt > Array.MaxLength)
            throw new ArgumentException($"TrainingOptions: batch size × BPTT length = {BatchSize} × {Bptt} = {(long)BatchSize * Bptt} tokens per window, more than one array holds ({Array.MaxLength}).", paramName);
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentException($"TrainingOptions: learning rate must be a positive number, got {LearningRate}.", paramName);
        if (ClipNorm is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException($"TrainingOptions: clip norm must be a positive number, got {c}.", paramName);
        if (Epochs is null && TimeBudget is null && MaxSteps is null)
            throw new ArgumentException("TrainingOptions: set Epochs, TimeBudget or MaxSteps (otherwise training never stops).", paramName);
        if (Epochs is < 1) throw new ArgumentException($"TrainingOptions: epochs must be ≥ 1, got {Epochs}.", paramName);
        if (TimeBudget is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"TrainingOptions: the time budget must be positive, got {t.TotalSeconds} s.", paramName);
        if (EvalEveryTime is { } interval && interval <= TimeSpan.Zero)   // it would evaluate after every step, each one counting towards patience
            throw new ArgumentException($"TrainingOptions: the evaluation interval EvalEveryTime must be positive, got {interval.TotalSeconds} s.", paramName);
        if (MaxSteps is < 1) throw new ArgumentException($"TrainingOptions: max steps must be ≥ 1, got {MaxSteps}.", paramName);
        if (EvalEverySteps < 0) throw new ArgumentException($"TrainingOptions: eval-every must be ≥ 0, got {EvalEverySteps}.", paramName);
        if (Patience is < 1) throw new ArgumentException($"TrainingOptions: patience must be ≥ 1, got {Patience}.", paramName);
        bool scheduledEvaluations = EvalEverySteps > 0 || EvalEveryTime is not null;   // only they move patience and the plateau schedule
        if (!scheduledEvaluations && Patience is not null)
            throw new ArgumentException($"TrainingOptions: patience {Patience} counts scheduled evaluations, and there are none: set EvalEverySteps or EvalEveryTime.", paramName);
        if (!scheduledEvaluations && Schedule == ScheduleKind.ReduceOnPlateau)
            throw new ArgumentException("TrainingOptions: the reduce-on-plateau schedule acts after scheduled evaluations, and there are none: set EvalEverySteps or EvalEveryTime.", paramName);
        if (MicroBatches is < 1 or > MaxMicroBatches) throw new ArgumentException($"TrainingOptions: micro-batches must be in [1, {MaxMicroBatches}], got {MicroBatches}.", paramName);
        if (ProgressEvery < 1) throw new ArgumentException($"TrainingOptions: progress interval must be ≥ 1, got {ProgressEvery}.", paramName);
        if (string.IsNullOrWhiteSpace(Monitor)) throw new ArgumentException("TrainingOptions: the monitored metric needs a name.", paramName);
        Checks.Defined(MonitorGoal, "TrainingOptions", paramName ?? nameof(MonitorGoal));
        try
        {
            OptimizerSettings.Validate();
            ScheduleSettings.Validate();
        }
        catch (ArgumentException e) { throw new ArgumentException("TrainingOptions: " + Checks.MessageWithoutParameter(e), paramName, e); }
    }
}
