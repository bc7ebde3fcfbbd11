namespace SeqLearn.Optim.Schedules;

/// <summary>
/// Step decay, as <c>torch.optim.lr_scheduler.StepLR</c>: every <see cref="StepSize"/> epochs the learning
/// rate is multiplied by γ.
/// <code>
/// η_e = η₀ · γ^⌊e / s⌋
/// </code>
/// Call <see cref="EpochSchedule{T}.Step"/> once per epoch, after the optimizer's steps of that epoch.
/// </summary>
public sealed class StepLR<T> : EpochSchedule<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Takes η₀ from the optimizer's current learning rate.</summary>
    public StepLR(Optimizer<T> optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: step size must be positive, got {stepSize}.");
        if (!(gamma > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), $"StepLR: γ must be positive, got {gamma}.");
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>s, epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ, the decay factor.</summary>
    public double Gamma { get; }

    /// <summary>η_e = η₀ · γ^⌊e / s⌋.</summary>
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch / StepSize);
}
