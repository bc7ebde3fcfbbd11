using SeqLearn.Autograd;

namespace SeqLearn.Optim;

/// <summary>
/// What <see cref="Adam{T}"/> and <see cref="AdamW{T}"/> share: the hyperparameters, the per-parameter moments
/// m and v with the step count t, and the state export. They differ only in where the weight decay enters.
/// </summary>
public abstract class AdamBase<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private protected readonly AdamCore<T> Core;

    private protected AdamBase(IEnumerable<Var<T>> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
        : base(parameters, learningRate)
    {
        string op = Name;
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"{op}: β₁ must be in [0, 1), got {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"{op}: β₂ must be in [0, 1), got {beta2}.");
        RequireFiniteNonNegative(epsilon, "ε", nameof(epsilon));
        RequireFiniteNonNegative(weightDecay, "weight decay", nameof(weightDecay));
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
        Core = new AdamCore<T>(Parameters.Count);
    }

    /// <summary>β₁, decay of the first moment m.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, decay of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε added to √v̂.</summary>
    public double Epsilon { get; }

    /// <summary>Weight decay λ (L2 in Adam, decoupled in AdamW).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Hyperparameters => new Dictionary<string, double>
    {
        ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Epsilon, ["weight_decay"] = WeightDecay,
    };

    /// <inheritdoc/>
    public override OptimizerState<T> ExportState()
    {
        var states = new ParameterState<T>[Parameters.Count];
        for (int p = 0; p < states.Length; p++) states[p] = Core.Export(p, Parameters[p].Value.ShapeArray());
        return new OptimizerState<T>(Kind, LearningRate, states) { Hyperparameters = Hyperparameters };
    }

    /// <inheritdoc/>
    public override void ImportState(OptimizerState<T> state)
    {
        CheckImport(state);
        for (int p = 0; p < Parameters.Count; p++) Core.Import(p, state.Parameters[p]);
    }

    private protected override void CheckParameterState(int index, ParameterState<T> state) =>
        AdamCore<T>.Check(state, Kind.ToString(), ParameterName(index));
}
