using SeqLearn.Autograd;

namespace SeqLearn.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019): Adam with decoupled weight decay, as <c>torch.optim.AdamW</c>. The decay
/// shrinks θ directly, scaled by η, and never enters the moment estimates:
/// <code>
/// θ ← θ (1 − η λ)
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// m̂ = m / (1 − β₁ᵗ)
/// v̂ = v / (1 − β₂ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// </code>
/// See docs/optim.md#adamw.
/// </summary>
public sealed class AdamW<T> : AdamBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer (PyTorch defaults: η 1e-3, β (0.9, 0.999), ε 1e-8, λ 0.01).</summary>
    public AdamW(IEnumerable<Var<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0.01)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.AdamW;

    /// <inheritdoc/>
    public override void Step() => Update(T.One, clearGrad: false);

    /// <inheritdoc/>
    /// <remarks>One pass over memory: each chunk's gradient is scaled inside the update and cleared right after it.</remarks>
    public override void Step(double gradientScale, bool zeroGradients) => Update(CheckScale(gradientScale), zeroGradients);

    private void Update(T gradScale, bool clearGrad)
    {
        CheckGradients();
        T shrink = T.CreateTruncating(1 - LearningRate * WeightDecay);   // 1 − ηλ
        for (int p = 0; p < Parameters.Count; p++)
        {
            var grad = GradientOf(p);
            if (grad is null) continue;
            Core.Queue(p, Parameters[p].Value, grad, LearningRate, Beta1, Beta2, Epsilon, l2: 0);
        }
        Core.Run(Pool, shrink, gradScale, clearGrad);                    // θ ← (1 − ηλ) θ, then the Adam update
    }
}
