using SeqLearn.Autograd;

namespace SeqLearn.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) with bias correction and PyTorch-style L2 weight decay (<c>torch.optim.Adam</c>):
/// the decay is added to the gradient and so also passes through the moment estimates.
/// <code>
/// g ← g + λ θ
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// m̂ = m / (1 − β₁ᵗ)
/// v̂ = v / (1 − β₂ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// </code>
/// See docs/optim.md#adam. For decoupled decay use <see cref="AdamW{T}"/>.
/// </summary>
public sealed class Adam<T> : AdamBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer (PyTorch defaults: η 1e-3, β (0.9, 0.999), ε 1e-8, λ 0).</summary>
    public Adam(IEnumerable<Var<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Adam;

    /// <inheritdoc/>
    public override void Step() => Update(T.One, clearGrad: false);

    /// <inheritdoc/>
    /// <remarks>One pass over memory: each chunk's gradient is scaled inside the update and cleared right after it.</remarks>
    public override void Step(double gradientScale, bool zeroGradients) => Update(CheckScale(gradientScale), zeroGradients);

    private void Update(T gradScale, bool clearGrad)
    {
        CheckGradients();
        for (int p = 0; p < Parameters.Count; p++)
        {
            var grad = GradientOf(p);
            if (grad is null) continue;
            Core.Queue(p, Parameters[p].Value, grad, LearningRate, Beta1, Beta2, Epsilon, l2: WeightDecay);
        }
        Core.Run(Pool, T.One, gradScale, clearGrad);
    }
}
