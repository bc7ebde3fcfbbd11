namespace SeqLearn.Optim.Schedules;

/// <summary>
/// Lowers the learning rate when a metric stops improving, with the semantics of
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>. After each evaluation, <see cref="Step"/>(metric):
/// <code>
/// improved  = metric &lt; best·(1 − threshold)   (Min, Rel)      metric &lt; best − threshold   (Min, Abs)
///             metric &gt; best·(1 + threshold)   (Max, Rel)      metric &gt; best + threshold   (Max, Abs)
/// if improved: best ← metric, bad ← 0   else bad ← bad + 1
/// if cooldown &gt; 0: cooldown ← cooldown − 1, bad ← 0
/// if bad &gt; patience: η ← max(η · factor, η_min) (only if that changes η by more than 1e-8), cooldown ← C, bad ← 0
/// </code>
/// </summary>
public sealed class ReduceLROnPlateau<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const double MinChange = 1e-8;
    private readonly Optimizer<T> _optimizer;

    /// <summary>Creates the schedule (PyTorch defaults: Min, factor 0.1, patience 10, threshold 1e-4 Rel, cooldown 0, η_min 0).</summary>
    public ReduceLROnPlateau(Optimizer<T> optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLearningRate = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Checks.Defined(mode, "ReduceLROnPlateau", nameof(mode));
        Checks.Defined(thresholdMode, "ReduceLROnPlateau", nameof(thresholdMode));
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), $"ReduceLROnPlateau: factor must be in (0, 1), got {factor}.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), $"ReduceLROnPlateau: patience must be ≥ 0, got {patience}.");
        if (!(threshold >= 0)) throw new ArgumentOutOfRangeException(nameof(threshold), $"ReduceLROnPlateau: threshold must be ≥ 0, got {threshold}.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), $"ReduceLROnPlateau: cooldown must be ≥ 0, got {cooldown}.");
        if (!(minLearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(minLearningRate), $"ReduceLROnPlateau: η_min must be ≥ 0, got {minLearningRate}.");
        _optimizer = optimizer;
        (Mode, Factor, Patience, Threshold, ThresholdMode, Cooldown, MinLearningRate) =
            (mode, factor, patience, threshold, thresholdMode, cooldown, minLearningRate);
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>Whether lower (Min, a loss) or higher (Max, an accuracy) metrics are better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Multiplier applied to η on a plateau.</summary>
    public double Factor { get; }

    /// <summary>Evaluations without improvement tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>Minimum relative or absolute change that counts as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative to <see cref="Best"/> or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Evaluations to wait after a reduction before counting bad evaluations again.</summary>
    public int Cooldown { get; }

    /// <summary>η_min, the floor of the learning rate.</summary>
    public double MinLearningRate { get; }

    /// <summary>Best metric seen so far (state; settable to resume).</summary>
    public double Best { get; set; }

    /// <summary>Consecutive evaluations without improvement (state).</summary>
    public int BadEpochs { get; set; }

    /// <summary>Evaluations left in the current cooldown (state).</summary>
    public int CooldownCounter { get; set; }

    /// <summary>True when <paramref name="metric"/> beats <see cref="Best"/> by more than the threshold.</summary>
    public bool IsImprovement(double metric) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => metric < Best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => metric < Best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => metric > Best * (1 + Threshold),
        _ => metric > Best + Threshold,
    };

    /// <summary>Records one evaluation of the metric and reduces the optimizer's learning rate on a plateau.</summary>
    /// <returns>True when the learning rate was reduced.</returns>
    public bool Step(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("ReduceLROnPlateau.Step: the metric is NaN (did training diverge?).", nameof(metric));
        if (IsImprovement(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            BadEpochs = 0;
        }
        if (BadEpochs <= Patience) return false;
        CooldownCounter = Cooldown;
        BadEpochs = 0;
        double eta = _optimizer.LearningRate;
        double reduced = Math.Max(eta * Factor, MinLearningRate);
        if (eta - reduced <= MinChange) return false;
        _optimizer.LearningRate = reduced;
        return true;
    }
}

/// <summary>Direction of improvement for <see cref="ReduceLROnPlateau{T}"/>.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (losses).</summary>
    Min,
    /// <summary>Higher is better (accuracies).</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau{T}.Threshold"/> is applied.</summary>
public enum ThresholdMode
{
    /// <summary>Relative to the best value: best·(1 ∓ threshold).</summary>
    Rel,
    /// <summary>Absolute: best ∓ threshold.</summary>
    Abs,
}
