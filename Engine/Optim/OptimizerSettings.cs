using SeqLearn.Autograd;

namespace SeqLearn.Optim;

/// <summary>
/// Which optimizer to build and with what hyperparameters: the one place where a training run turns its options into
/// an <see cref="Optimizer{T}"/> (<see cref="Create{T}"/>), so trainers and command lines never switch on the kind.
/// </summary>
/// <param name="Kind">The algorithm.</param>
/// <param name="LearningRate">η₀.</param>
/// <param name="Momentum">SGD momentum μ (0 = none).</param>
/// <param name="Nesterov">SGD Nesterov momentum (needs μ &gt; 0).</param>
/// <param name="WeightDecay">λ: L2 folded into the gradient for SGD and Adam, decoupled for AdamW; 0 by default for every kind
/// (<see cref="AdamW{T}"/>'s own constructor, like PyTorch's, defaults to 0.01).</param>
public sealed record OptimizerSettings(OptimizerKind Kind = OptimizerKind.Adam, double LearningRate = 0.002, double Momentum = 0,
    bool Nesterov = false, double WeightDecay = 0)
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first invalid setting, its <see cref="ArgumentException.ParamName"/>
    /// the setting's name.
    /// </summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw Invalid(nameof(Kind), $"unknown optimizer {Kind}.");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw Invalid(nameof(LearningRate), $"learning rate must be a positive number, got {LearningRate}.");
        if (!(Momentum >= 0 && double.IsFinite(Momentum))) throw Invalid(nameof(Momentum), $"momentum must be a number ≥ 0, got {Momentum}.");
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay))) throw Invalid(nameof(WeightDecay), $"weight decay must be a number ≥ 0, got {WeightDecay}.");
        if (Nesterov && Kind == OptimizerKind.Sgd && Momentum == 0) throw Invalid(nameof(Nesterov), "Nesterov momentum needs a momentum > 0.");
        if (Kind != OptimizerKind.Sgd && (Momentum != 0 || Nesterov))   // as PyTorch's Adam and AdamW, which take neither
            throw Invalid(Momentum != 0 ? nameof(Momentum) : nameof(Nesterov), $"momentum and Nesterov are SGD's; {Kind} takes neither (got momentum {Momentum}, Nesterov {Nesterov}).");
    }

    private static ArgumentException Invalid(string setting, string message) => new("OptimizerSettings: " + message, setting);

    /// <summary>Builds the optimizer over <paramref name="parameters"/> (any sequence; it is copied in order).</summary>
    public Optimizer<T> Create<T>(IEnumerable<Var<T>> parameters) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate();
        return Kind switch
        {
            OptimizerKind.Sgd => new Sgd<T>(parameters, LearningRate, Momentum, nesterov: Nesterov, weightDecay: WeightDecay),
            OptimizerKind.Adam => new Adam<T>(parameters, LearningRate, weightDecay: WeightDecay),
            _ => new AdamW<T>(parameters, LearningRate, weightDecay: WeightDecay),
        };
    }
}
