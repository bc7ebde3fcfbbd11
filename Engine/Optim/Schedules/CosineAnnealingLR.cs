namespace SeqLearn.Optim.Schedules;

/// <summary>
/// Cosine annealing without restarts, as <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>:
/// <code>
/// η_e = η_min + (η₀ − η_min) · (1 + cos(π e / T_max)) / 2
/// </code>
/// The rate falls from η₀ at e = 0 to η_min at e = T_max; past T_max it follows the same cosine back up
/// (as PyTorch does). Step once per epoch, or once per batch with T_max counted in batches.
/// </summary>
public sealed class CosineAnnealingLR<T> : EpochSchedule<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Takes η₀ from the optimizer's current learning rate.</summary>
    public CosineAnnealingLR(Optimizer<T> optimizer, int tMax, double minLearningRate = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"CosineAnnealingLR: T_max must be positive, got {tMax}.");
        if (!(minLearningRate >= 0 && double.IsFinite(minLearningRate))) throw new ArgumentOutOfRangeException(nameof(minLearningRate), $"CosineAnnealingLR: η_min must be a finite number ≥ 0, got {minLearningRate}.");
        TMax = tMax;
        MinLearningRate = minLearningRate;
    }

    /// <summary>T_max, the half period in steps.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public double MinLearningRate { get; }

    /// <summary>η_e = η_min + (η₀ − η_min)(1 + cos(π e / T_max)) / 2.</summary>
    public override double LearningRateAt(int epoch) =>
        MinLearningRate + (BaseLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
