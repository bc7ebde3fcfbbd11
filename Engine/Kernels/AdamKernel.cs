using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>The Adam coefficients of one update (docs/optim.md#adam).</summary>
/// <param name="Beta1">β₁.</param>
/// <param name="OneMinusBeta1">1 − β₁ (computed in double by the caller, then rounded once).</param>
/// <param name="Beta2">β₂.</param>
/// <param name="OneMinusBeta2">1 − β₂.</param>
/// <param name="Lambda">λ, the L2 weight decay folded into the gradient (0 for none).</param>
/// <param name="Epsilon">ε.</param>
/// <param name="StepSize">η / (1 − β₁ᵗ).</param>
/// <param name="SqrtBias2">√(1 − β₂ᵗ).</param>
internal readonly record struct AdamCoefficients<T>(T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T Lambda, T Epsilon, T StepSize, T SqrtBias2)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// One Adam update of a parameter, element by element, with the gradient ∇ taken times a scale s (a clipping
/// coefficient; 1 for none):
/// <code>
/// g = s∇ + λθ
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// <c>Update</c> runs 512 bits at a time where the CPU has them, with the same operations in the same order
/// as <see cref="Reference{T}"/> (no fused multiply-add), so its results are bit-identical (tested on odd sizes).
/// </summary>
internal static class AdamKernel
{
    /// <summary>The update with s = 1, vectorised; bit-identical to <see cref="Reference{T}"/>.</summary>
    public static void Update<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, AdamCoefficients<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Update(theta, grad, m, v, c, T.One);

    /// <summary>
    /// The update with the gradient scaled by <paramref name="gradScale"/>, vectorised; bit-identical to <see cref="Reference{T}"/>,
    /// and to scaling ∇ in place first (the same product, rounded once). s = 1 changes no value.
    /// </summary>
    public static void Update<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, AdamCoefficients<T> c, T gradScale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check(theta, grad, m, v);
        int n = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? theta.Length - theta.Length % Vector512<T>.Count : 0;
        if (n > 0)
        {
            var b1 = Vector512.Create(c.Beta1);
            var oneMinusB1 = Vector512.Create(c.OneMinusBeta1);
            var b2 = Vector512.Create(c.Beta2);
            var oneMinusB2 = Vector512.Create(c.OneMinusBeta2);
            var lambda = Vector512.Create(c.Lambda);
            var eps = Vector512.Create(c.Epsilon);
            var step = Vector512.Create(c.StepSize);
            var bias2 = Vector512.Create(c.SqrtBias2);
            var scale = Vector512.Create(gradScale);
            for (int i = 0; i < n; i += Vector512<T>.Count)
            {
                var th = Vector512.Create<T>(theta.Slice(i, Vector512<T>.Count));
                var g = Vector512.Create<T>(grad.Slice(i, Vector512<T>.Count)) * scale + lambda * th;
                var mi = b1 * Vector512.Create<T>(m.Slice(i, Vector512<T>.Count)) + oneMinusB1 * g;
                var vi = b2 * Vector512.Create<T>(v.Slice(i, Vector512<T>.Count)) + oneMinusB2 * g * g;
                var denom = Vector512.Sqrt(vi) / bias2 + eps;
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                (th - step * (mi / denom)).CopyTo(theta.Slice(i));
            }
        }
        Scalar(theta[n..], grad[n..], m[n..], v[n..], c, gradScale);
    }

    /// <summary>The update, one element at a time: the executable specification.</summary>
    public static void Reference<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, AdamCoefficients<T> c, T gradScale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check(theta, grad, m, v);
        Scalar(theta, grad, m, v, c, gradScale);
    }

    private static void Scalar<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, AdamCoefficients<T> c, T gradScale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T oneMinusB1 = c.OneMinusBeta1, oneMinusB2 = c.OneMinusBeta2;
        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i] * gradScale + c.Lambda * theta[i];
            m[i] = c.Beta1 * m[i] + oneMinusB1 * g;
            v[i] = c.Beta2 * v[i] + oneMinusB2 * g * g;
            T denom = T.Sqrt(v[i]) / c.SqrtBias2 + c.Epsilon;
            theta[i] -= c.StepSize * (m[i] / denom);
        }
    }

    private static void Check<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> m, Span<T> v)
    {
        if (grad.Length != theta.Length || m.Length != theta.Length || v.Length != theta.Length)
            throw new ArgumentException($"AdamKernel: θ, ∇, m and v must have one length; got {theta.Length}, {grad.Length}, {m.Length}, {v.Length}.");
    }
}
