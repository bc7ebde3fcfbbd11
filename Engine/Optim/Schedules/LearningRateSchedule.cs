using System.Globalization;
using System.Text.Json.Nodes;

namespace SeqLearn.Optim.Schedules;

/// <summary>The learning-rate schedule of a training run.</summary>
public enum ScheduleKind
{
    /// <summary>A constant learning rate.</summary>
    Constant,
    /// <summary>η_e = η₀ γ^⌊e / s⌋ with e counted in epochs (<see cref="StepLR{T}"/>).</summary>
    StepDecay,
    /// <summary>Cosine annealing from η₀ to η_min over a fixed number of epochs (<see cref="CosineAnnealingLR{T}"/>).</summary>
    Cosine,
    /// <summary>η ← γ η after a number of evaluations without a better monitored metric (<see cref="ReduceLROnPlateau{T}"/>).</summary>
    ReduceOnPlateau,
}

/// <summary>
/// How the learning rate changes during a run, as plain settings; <see cref="LearningRateSchedule{T}"/> applies them.
/// </summary>
/// <param name="Kind">The schedule.</param>
/// <param name="StepSize">s for <see cref="ScheduleKind.StepDecay"/>: decay every s epochs.</param>
/// <param name="Gamma">γ, the decay factor of step decay and reduce-on-plateau.</param>
/// <param name="FirstDecayEpoch">Step decay: the first epoch (0-based, ≥ 1) run at a decayed rate; null = s (plain StepLR).</param>
/// <param name="PlateauPatience">Evaluations without improvement before reduce-on-plateau lowers η.</param>
/// <param name="MinLearningRate">η_min for cosine annealing and reduce-on-plateau.</param>
/// <param name="Epochs">The cosine period in epochs (required for <see cref="ScheduleKind.Cosine"/>).</param>
public sealed record ScheduleSettings(ScheduleKind Kind = ScheduleKind.Constant, int StepSize = 1, double Gamma = 0.5, int? FirstDecayEpoch = null,
    int PlateauPatience = 0, double MinLearningRate = 0, int? Epochs = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate() => Validate(paramName: null);

    /// <summary>
    /// As <see cref="Validate()"/>, the exception naming <paramref name="paramName"/>: the parameter of the caller that was
    /// given these settings.
    /// </summary>
    internal void Validate(string? paramName)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"ScheduleSettings: unknown schedule {Kind}.", paramName);
        if (Kind == ScheduleKind.Cosine && Epochs is null) throw new ArgumentException("ScheduleSettings: the cosine schedule needs Epochs (its period).", paramName);
        if (Kind == ScheduleKind.Cosine && Epochs < 1) throw new ArgumentException($"ScheduleSettings: the cosine period (Epochs) must be ≥ 1, got {Epochs}.", paramName);
        // Ranges are checked for every kind, so a value that this kind ignores is still a valid one for the kinds that use it.
        if (StepSize < 1) throw new ArgumentException($"ScheduleSettings: step size must be ≥ 1, got {StepSize}.", paramName);
        if (FirstDecayEpoch < 1)
            throw new ArgumentException($"ScheduleSettings: the first decay epoch must be ≥ 1 (epoch 0 runs at the optimizer's rate), got {FirstDecayEpoch}.", paramName);
        if (!(Gamma > 0 && Gamma < 1)) throw new ArgumentException($"ScheduleSettings: gamma must be in (0, 1), got {Gamma}.", paramName);
        if (PlateauPatience < 0) throw new ArgumentException($"ScheduleSettings: plateau patience must be ≥ 0, got {PlateauPatience}.", paramName);
        if (!(MinLearningRate >= 0 && double.IsFinite(MinLearningRate))) throw new ArgumentException($"ScheduleSettings: η_min must be a number ≥ 0, got {MinLearningRate}.", paramName);
    }
}

/// <summary>
/// One object for every schedule kind, driven by the two events a trainer has: the end of an epoch
/// (<see cref="EndEpoch"/>: step decay, cosine) and a scheduled evaluation (<see cref="AfterEvaluation"/>:
/// reduce-on-plateau on the monitored metric). Its counters are saved and restored with the checkpoint, so a
/// resumed run follows the same learning rates.
/// </summary>
public sealed class LearningRateSchedule<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _optimizer;
    private readonly ScheduleSettings _settings;
    private EpochSchedule<T>? _epochSchedule;
    private readonly ReduceLROnPlateau<T>? _plateau;

    /// <summary>
    /// Builds the schedule over <paramref name="optimizer"/> (η₀ is its current rate). <paramref name="maximize"/>: the
    /// monitored metric improves upwards (accuracy, BLEU) rather than downwards (a loss).
    /// </summary>
    public LearningRateSchedule(Optimizer<T> optimizer, ScheduleSettings settings, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(nameof(settings));
        (_optimizer, _settings) = (optimizer, settings);
        _epochSchedule = CreateEpochSchedule(optimizer.LearningRate, 0);
        if (settings.Kind == ScheduleKind.ReduceOnPlateau)
            _plateau = new ReduceLROnPlateau<T>(optimizer, maximize ? PlateauMode.Max : PlateauMode.Min, factor: settings.Gamma,
                patience: settings.PlateauPatience, minLearningRate: settings.MinLearningRate);
    }

    /// <summary>The settings this schedule applies.</summary>
    public ScheduleSettings Settings => _settings;

    /// <summary>Ends an epoch (step decay and cosine move to the next epoch's rate).</summary>
    public void EndEpoch() => _epochSchedule?.Step();

    /// <summary>Records a scheduled evaluation of the monitored metric (reduce-on-plateau may lower η).</summary>
    public void AfterEvaluation(double metric) => _plateau?.Step(metric);

    /// <summary>The counters a resumed run needs (epoch, η₀, plateau best / bad evaluations / cooldown) and the schedule's kind.</summary>
    public JsonObject SaveState() => new()
    {
        ["schedule_kind"] = _settings.Kind.ToString(),
        ["schedule_epoch"] = _epochSchedule?.Epoch,
        ["schedule_base_lr"] = _epochSchedule?.BaseLearningRate,
        ["plateau_best"] = _plateau is null || !double.IsFinite(_plateau.Best) ? null : _plateau.Best,
        ["plateau_bad_epochs"] = _plateau?.BadEpochs,
        ["plateau_cooldown"] = _plateau?.CooldownCounter,
    };

    /// <summary>
    /// Restores <see cref="SaveState"/>'s counters; a missing or ill-typed field, a negative counter or a base learning rate
    /// that is negative or not finite is a <see cref="FormatException"/> naming it.
    /// </summary>
    public void RestoreState(JsonObject state)
    {
        var (baseLearningRate, epoch, best, badEpochs, cooldown) = Read(state);
        if (_epochSchedule is not null) _epochSchedule = CreateEpochSchedule(baseLearningRate, epoch);
        if (_plateau is not null) (_plateau.Best, _plateau.BadEpochs, _plateau.CooldownCounter) = (best, badEpochs, cooldown);
    }

    /// <summary>Throws the <see cref="FormatException"/> that <see cref="RestoreState"/> would throw for <paramref name="state"/>, changing nothing.</summary>
    internal void CheckState(JsonObject state) => Read(state);

    // The counters this schedule's kind needs, each checked (the others are left at 0).
    private (double BaseLearningRate, int Epoch, double Best, int BadEpochs, int Cooldown) Read(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state["schedule_kind"] is not null && Get<string>(state, "schedule_kind") is var kind && kind != _settings.Kind.ToString()) // absent: a state without the kind is not checked
            throw new FormatException($"it was trained with the {kind} schedule, these options use {_settings.Kind}");
        double baseLearningRate = 0, best = 0;
        int epoch = 0, badEpochs = 0, cooldown = 0;
        if (_epochSchedule is not null)
        {
            (baseLearningRate, epoch) = (Get<double>(state, "schedule_base_lr"), Get<int>(state, "schedule_epoch"));
            if (!(baseLearningRate >= 0 && double.IsFinite(baseLearningRate)))   // else the next epoch's rate would be refused mid-run
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"schedule state: field 'schedule_base_lr' is {baseLearningRate}; a learning rate is finite and ≥ 0."));
            RequireCount(epoch, "schedule_epoch");
        }
        if (_plateau is not null)
        {
            best = state["plateau_best"] is null
                ? (_plateau.Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity)
                : Get<double>(state, "plateau_best");
            (badEpochs, cooldown) = (Get<int>(state, "plateau_bad_epochs"), Get<int>(state, "plateau_cooldown"));
            RequireCount(badEpochs, "plateau_bad_epochs");
            RequireCount(cooldown, "plateau_cooldown");
        }
        return (baseLearningRate, epoch, best, badEpochs, cooldown);
    }

    private EpochSchedule<T>? CreateEpochSchedule(double baseLearningRate, int epoch) => _settings.Kind switch
    {
        ScheduleKind.StepDecay => new StepLR<T>(_optimizer, _settings.StepSize, _settings.Gamma, _settings.FirstDecayEpoch) { BaseLearningRate = baseLearningRate, Epoch = epoch },
        ScheduleKind.Cosine => new CosineAnnealingLR<T>(_optimizer, _settings.Epochs!.Value, _settings.MinLearningRate) { BaseLearningRate = baseLearningRate, Epoch = epoch },
        _ => null,
    };

    private static void RequireCount(int value, string key)
    {
        if (value < 0) throw new FormatException($"schedule state: field '{key}' is {value}; it counts from 0.");
    }

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw new FormatException($"schedule state: field '{key}' is missing or not a {typeof(TValue).Name}.");
        return value;
    }
}
