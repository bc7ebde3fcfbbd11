using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Fused softmax + negative log-likelihood: for logits z (N, V) and targets t (N),
    /// ℓₙ = −log softmax(zₙ)[tₙ] = logΣⱼ exp(zₙⱼ) − zₙ,tₙ, and the loss is Σₙ ℓₙ (<see cref="Reduction.Sum"/>) or
    /// Σₙ ℓₙ / C over the C rows whose target is not <paramref name="ignoreIndex"/> (<see cref="Reduction.Mean"/>;
    /// 0 with a zero gradient when every row is ignored). Rows with target = ignoreIndex contribute nothing.
    /// Backward: ∂L/∂zₙ = ∂L/∂loss · w · (softmax(zₙ) − onehot(tₙ)), w = 1 or 1/C; 0 for ignored rows.
    /// Stable for logits of ±1e4 (the log-sum-exp subtracts the row max).
    /// With label smoothing ε (PyTorch's <c>label_smoothing</c>) the target distribution is qₙ = (1 − ε) onehot(tₙ) + ε/V:
    /// ℓₙ = −Σⱼ qₙⱼ log softmax(zₙ)ⱼ and ∂L/∂zₙ = ∂L/∂loss · w · (softmax(zₙ) − qₙ).
    /// </summary>
    public static Var<T> SoftmaxCrossEntropy<T>(Var<T> logits, int[] targets, Reduction reduction = Reduction.Mean, int ignoreIndex = -100,
        double labelSmoothing = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        CheckLabelSmoothing(labelSmoothing, "SoftmaxCrossEntropy");
        Checks.Defined(reduction, "SoftmaxCrossEntropy", nameof(reduction));
        var z = logits.Value;
        if (z.Rank != 2)
            throw new ArgumentException($"SoftmaxCrossEntropy: logits must be 2-D (N, V), got {z.ShapeString}.", nameof(logits));
        int n = z.Dim(0), v = z.Dim(1);
        if (targets.Length != n)
            throw new ArgumentException($"SoftmaxCrossEntropy: {targets.Length} targets for logits {z.ShapeString} (N = {n}).", nameof(targets));
        int counted = CountTargets(targets, v, ignoreIndex, "SoftmaxCrossEntropy");

        var p = Tensor<T>.ZerosLike(z);                  // (N, V) softmax, saved for backward
        var zs = z.Span;
        var ps = p.Span;
        T total = T.Zero, epsilon = T.CreateTruncating(labelSmoothing);
        for (int r = 0; r < n; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            var logP = ps.Slice(r * v, v);
            LogSoftmaxRow<T>(zs.Slice(r * v, v), logP);
            T meanLogP = epsilon == T.Zero ? T.Zero : TensorPrimitives.Sum<T>(logP) / T.CreateTruncating(v);
            total -= (T.One - epsilon) * logP[targets[r]] + epsilon * meanLogP;   // ℓₙ = −(1 − ε) log pₙ,tₙ − ε mean log pₙ
            TensorPrimitives.Exp<T>(logP, logP);         // keep pₙ for backward
        }
        T w = reduction == Reduction.Sum || counted == 0 ? T.One : T.One / T.CreateTruncating(counted);
        var loss = Tensor<T>.Scalar(total * w);
        return Var<T>.FromOp(loss, Node<T>.Tracks(logits)
            ? new SoftmaxCrossEntropyNode<T>(logits, p, (int[])targets.Clone(), w, ignoreIndex, epsilon) : null);
    }

    /// <summary>Throws, naming <paramref name="op"/>, unless 0 ≤ ε ≤ 1.</summary>
    private static void CheckLabelSmoothing(double epsilon, string op)
    {
        if (!(epsilon >= 0 && epsilon <= 1))
            throw new ArgumentOutOfRangeException("labelSmoothing", $"{op}: label smoothing must be in [0, 1], got {epsilon}.");
    }

    /// <summary>How many targets are not <paramref name="ignoreIndex"/>; throws, naming <paramref name="op"/> and the position, for one outside [0, V).</summary>
    private static int CountTargets(int[] targets, int v, int ignoreIndex, string op)
    {
        int counted = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            if ((uint)targets[r] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(targets),
                    $"{op}: target {targets[r]} at position {r} is outside [0, {v}) and is not the ignore index {ignoreIndex}.");
            counted++;
        }
        return counted;
    }
}

internal sealed class SoftmaxCrossEntropyNode<T>(Var<T> logits, Tensor<T> p, int[] targets, T w, int ignoreIndex, T epsilon) : Node<T>(logits)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gz = GradOf(logits).Span;
        var ps = p.Span;
        int v = p.Dim(1);
        T scale = gradOutput.Span[0] * w;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            var g = gz.Slice(r * v, v);
            TensorPrimitives.MultiplyAdd<T>(ps.Slice(r * v, v), scale, g, g);   // + w·p
            if (epsilon != T.Zero) TensorPrimitives.Subtract<T>(g, scale * epsilon / T.CreateTruncating(v), g);   // − w·ε/V
            g[targets[r]] -= scale * (T.One - epsilon);                          // − w·(1 − ε)·onehot
        }
    }
}
