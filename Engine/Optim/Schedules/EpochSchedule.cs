namespace SeqLearn.Optim.Schedules;

/// <summary>
/// A learning-rate schedule that is a closed-form function of the epoch count e (<see cref="StepLR{T}"/>,
/// <see cref="CosineAnnealingLR{T}"/>). η₀ is the optimizer's learning rate at construction (e = 0); each
/// <see cref="Step"/> ends an epoch and writes η_e into the optimizer.
/// </summary>
public abstract class EpochSchedule<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _optimizer;

    /// <summary>Takes η₀ from <paramref name="optimizer"/>'s current learning rate.</summary>
    protected EpochSchedule(Optimizer<T> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>
    /// η₀, the learning rate at epoch 0 (the optimizer's rate at construction). To resume, set it and
    /// <see cref="Epoch"/> in an initializer: <c>new StepLR&lt;float&gt;(opt, 10) { BaseLearningRate = 0.1, Epoch = 30 }</c>.
    /// </summary>
    public double BaseLearningRate { get; init; }

    /// <summary>e, the number of <see cref="Step"/> calls so far (settable to resume from a checkpoint; e ≥ 0).</summary>
    public int Epoch
    {
        get;
        set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"{GetType().Name.Split('`')[0]}: the epoch count must be ≥ 0, got {value}.");
    }

    /// <summary>η_e, the learning rate after <paramref name="epoch"/> steps.</summary>
    public abstract double LearningRateAt(int epoch);

    /// <summary>Ends an epoch: e ← e + 1 and sets the optimizer's learning rate to η_e.</summary>
    public void Step()
    {
        Epoch++;
        _optimizer.LearningRate = LearningRateAt(Epoch);
    }
}
