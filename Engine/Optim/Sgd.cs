using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, with
/// PyTorch's <c>torch.optim.SGD</c> semantics. For each parameter θ with gradient g, at step t:
/// <code>
/// g ← g + λ θ                              (weight decay λ)
/// b ← g                         if t = 1   (momentum μ ≠ 0; the first buffer is not dampened)
/// b ← μ b + (1 − τ) g           if t > 1   (dampening τ)
/// d ← g + μ b  if Nesterov,  d ← b  otherwise,  d ← g  if μ = 0
/// θ ← θ − η d
/// </code>
/// See docs/optim.md#sgd.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Tensor<T>?[] _momentumBuffer;
    private readonly long[] _steps;

    /// <summary>
    /// Creates the optimizer; throws on a learning rate, momentum or weight decay that is negative or not finite, on a
    /// dampening that is not finite (any finite value is taken, as in PyTorch), or on Nesterov without momentum or with dampening.
    /// </summary>
    public Sgd(IEnumerable<Var<T>> parameters, double learningRate, double momentum = 0, double dampening = 0,
        bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        RequireFiniteNonNegative(momentum, "momentum", nameof(momentum));
        if (!double.IsFinite(dampening)) throw new ArgumentOutOfRangeException(nameof(dampening), $"Sgd: dampening must be finite, got {dampening}.");
        RequireFiniteNonNegative(weightDecay, "weight decay", nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Sgd: Nesterov momentum requires momentum > 0 and dampening = 0 (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentumBuffer = new Tensor<T>?[Parameters.Count];
        _steps = new long[Parameters.Count];
    }

    /// <summary>Momentum μ (0 disables the buffer).</summary>
    public double Momentum { get; }

    /// <summary>Dampening τ of the gradient added into the momentum buffer.</summary>
    public double Dampening { get; }

    /// <summary>Whether the step uses the Nesterov look-ahead g + μ b.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 weight decay λ (added to the gradient).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Hyperparameters => new Dictionary<string, double>
    {
        ["momentum"] = Momentum, ["dampening"] = Dampening, ["nesterov"] = Nesterov ? 1 : 0, ["weight_decay"] = WeightDecay,
    };

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Sgd;

    /// <inheritdoc/>
    public override void Step()
    {
        T eta = T.CreateTruncating(LearningRate);
        T lambda = T.CreateTruncating(WeightDecay);
        T mu = T.CreateTruncating(Momentum);
        T oneMinusTau = T.CreateTruncating(1 - Dampening);
        CheckGradients();
        for (int p = 0; p < Parameters.Count; p++)
        {
            var grad = GradientOf(p);
            if (grad is null) continue;
            _steps[p]++;
            bool first = _momentumBuffer[p] is null;
            if (Momentum != 0 && first) _momentumBuffer[p] = Tensor<T>.ZerosLike(grad);
            var theta = Parameters[p].Value.Span;
            var gs = grad.Span;
            if (Momentum == 0 && WeightDecay == 0)
            {
                TensorPrimitives.MultiplyAdd<T>(gs, -eta, theta, theta);      // θ ← θ − η g, vectorised
                continue;
            }
            var b = Momentum != 0 ? _momentumBuffer[p]!.Span : default;
            for (int i = 0; i < theta.Length; i++)
            {
                T g = gs[i] + lambda * theta[i];
                T d = g;
                if (Momentum != 0)
                {
                    b[i] = first ? g : mu * b[i] + oneMinusTau * g;
                    d = Nesterov ? g + mu * b[i] : b[i];
                }
                theta[i] -= eta * d;
            }
        }
    }

    /// <inheritdoc/>
    public override OptimizerState<T> ExportState()
    {
        var states = new ParameterState<T>[Parameters.Count];
        for (int p = 0; p < states.Length; p++) states[p] = new ParameterState<T>(_steps[p], MomentumBuffer: _momentumBuffer[p]?.Clone());
        return new OptimizerState<T>(Kind, LearningRate, states) { Hyperparameters = Hyperparameters };
    }

    private protected override void CheckParameterState(int index, ParameterState<T> state)
    {
        if (state.ExpAvg is not null || state.ExpAvgSq is not null)
            throw new ArgumentException($"Sgd.ImportState: {ParameterName(index)} carries Adam moments; this is not an SGD state.", nameof(state));
    }

    /// <inheritdoc/>
    public override void ImportState(OptimizerState<T> state)
    {
        CheckImport(state);
        for (int p = 0; p < Parameters.Count; p++)
        {
            var s = state.Parameters[p];
            _steps[p] = s.Step;
            _momentumBuffer[p] = s.MomentumBuffer?.Clone();
        }
    }
}
