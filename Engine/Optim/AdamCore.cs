using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// The moment estimates and the update shared by <see cref="Adam{T}"/> and <see cref="AdamW{T}"/> (they
/// differ only in where the weight decay enters). Holds m, v and t per parameter.
/// </summary>
internal sealed class AdamCore<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Tensor<T>?[] _m;
    private readonly Tensor<T>?[] _v;
    private readonly long[] _t;

    public AdamCore(int parameterCount)
    {
        _m = new Tensor<T>?[parameterCount];
        _v = new Tensor<T>?[parameterCount];
        _t = new long[parameterCount];
    }

    /// <summary>
    /// One Adam update of θ with gradient g (which already includes any L2 term λθ):
    /// <code>
    /// t ← t + 1
    /// m ← β₁ m + (1 − β₁) g
    /// v ← β₂ v + (1 − β₂) g²
    /// θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)      (= θ − η m̂ / (√v̂ + ε))
    /// </code>
    /// The last line is written in PyTorch's operation order so float results match it to the last bits.
    /// </summary>
    public void Update(int p, Span<T> theta, ReadOnlySpan<T> grad, double eta, double beta1, double beta2, double epsilon, double l2)
    {
        _m[p] ??= Tensor<T>.Zeros(theta.Length);
        _v[p] ??= Tensor<T>.Zeros(theta.Length);
        long t = ++_t[p];
        T b1 = T.CreateTruncating(beta1), oneMinusB1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), oneMinusB2 = T.CreateTruncating(1 - beta2);
        T lambda = T.CreateTruncating(l2);
        T eps = T.CreateTruncating(epsilon);
        T stepSize = T.CreateTruncating(eta / (1 - Math.Pow(beta1, t)));      // η / (1 − β₁ᵗ)
        T sqrtBc2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));    // √(1 − β₂ᵗ)
        AdamKernel.Update(theta, grad, _m[p]!.Span, _v[p]!.Span, new AdamCoefficients<T>(b1, oneMinusB1, b2, oneMinusB2, lambda, eps, stepSize, sqrtBc2));
    }

    public ParameterState<T> Export(int p, int[] shape) =>
        new(_t[p], ExpAvg: _m[p]?.Clone().Reshape(shape), ExpAvgSq: _v[p]?.Clone().Reshape(shape));

    public void Import(int p, ParameterState<T> s, string optimizerName, string parameterName)
    {
        if (s.MomentumBuffer is not null)
            throw new ArgumentException($"{optimizerName}.ImportState: {parameterName} carries an SGD momentum buffer; this is not an Adam state.");
        if ((s.ExpAvg is null) != (s.ExpAvgSq is null) || (s.ExpAvg is null && s.Step != 0))
            throw new ArgumentException($"{optimizerName}.ImportState: {parameterName} has step {s.Step} but {(s.ExpAvg is null ? "no exp_avg" : "exp_avg")} and {(s.ExpAvgSq is null ? "no exp_avg_sq" : "exp_avg_sq")}; both moments are needed once t > 0.");
        if (s.Step < 0) throw new ArgumentException($"{optimizerName}.ImportState: {parameterName} has a negative step count {s.Step}.");
        _t[p] = s.Step;
        _m[p] = s.ExpAvg?.Clone().Reshape(-1);
        _v[p] = s.ExpAvgSq?.Clone().Reshape(-1);
    }
}
