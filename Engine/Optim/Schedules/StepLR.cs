namespace SeqLearn.Optim.Schedules;

/// <summary>
/// Step decay, as <c>torch.optim.lr_scheduler.StepLR</c>: every <see cref="StepSize"/> epochs the learning
/// rate is multiplied by γ, the first time at epoch <see cref="FirstDecayEpoch"/> d (default s, which is StepLR;
/// Zaremba et al.'s PTB schedule is s = 1, d = 4, γ = ½: four epochs at η₀, then halved every epoch).
/// <code>
/// η_e = η₀                            e &lt; d
/// η_e = η₀ · γ^(⌊(e − d) / s⌋ + 1)    e ≥ d        (d = s: η₀ · γ^⌊e / s⌋)
/// </code>
/// Call <see cref="EpochSchedule{T}.Step"/> once per epoch, after the optimizer's steps of that epoch.
/// </summary>
public sealed class StepLR<T> : EpochSchedule<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Takes η₀ from the optimizer's current learning rate.</summary>
    public StepLR(Optimizer<T> optimizer, int stepSize, double gamma = 0.1, int? firstDecayEpoch = null) : base(optimizer)
    {
        // Epoch 0 runs at the optimizer's rate η₀ (a schedule changes the rate only when an epoch ends): a decayed first epoch
        // is a lower η₀, so d starts at 1.
        if (firstDecayEpoch < 1) throw new ArgumentOutOfRangeException(nameof(firstDecayEpoch), $"StepLR: the first decay epoch must be ≥ 1 (epoch 0 runs at the optimizer's rate; for a lower one, lower it), got {firstDecayEpoch}.");
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: step size must be positive, got {stepSize}.");
        if (!(gamma > 0 && double.IsFinite(gamma))) throw new ArgumentOutOfRangeException(nameof(gamma), $"StepLR: γ must be a finite positive number, got {gamma}.");
        StepSize = stepSize;
        Gamma = gamma;
        FirstDecayEpoch = firstDecayEpoch ?? stepSize;
    }

    /// <summary>s, epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ, the decay factor.</summary>
    public double Gamma { get; }

    /// <summary>d, the first epoch that runs at a decayed rate.</summary>
    public int FirstDecayEpoch { get; }

    /// <summary>η_e = η₀ · γ^(⌊(e − d) / s⌋ + 1) from epoch d on, η₀ before.</summary>
    public override double LearningRateAt(int epoch) =>
        epoch < FirstDecayEpoch ? BaseLearningRate : BaseLearningRate * Math.Pow(Gamma, (epoch - FirstDecayEpoch) / StepSize + 1);
}
