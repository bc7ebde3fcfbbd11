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
    /// </summary>
    public static Var<T> SoftmaxCrossEntropy<T>(Var<T> logits, int[] targets, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(targets);
        var z = logits.Value;
        if (z.Rank != 2)
            throw new ArgumentException($"SoftmaxCrossEntropy: logits must be 2-D (N, V), got {z.ShapeString}.");
        int n = z.Dim(0), v = z.Dim(1);
        if (targets.Length != n)
            throw new ArgumentException($"SoftmaxCrossEntropy: {targets.Length} targets for logits {z.ShapeString} (N = {n}).");
        int counted = CountTargets(targets, v, ignoreIndex, "SoftmaxCrossEntropy");

        var p = Tensor<T>.ZerosLike(z);                  // (N, V) softmax, saved for backward
        var zs = z.Span;
        var ps = p.Span;
        T total = T.Zero;
        for (int r = 0; r < n; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            var logP = ps.Slice(r * v, v);
            LogSoftmaxRow<T>(zs.Slice(r * v, v), logP);
            total -= logP[targets[r]];                   // ℓₙ = −log pₙ,tₙ
            TensorPrimitives.Exp<T>(logP, logP);         // keep pₙ for backward
        }
        T w = reduction == Reduction.Sum || counted == 0 ? T.One : T.One / T.CreateTruncating(counted);
        var loss = Tensor<T>.Scalar(total * w);
        return Var<T>.FromOp(loss, Node<T>.Tracks(logits)
            ? new SoftmaxCrossEntropyNode<T>(logits, p, (int[])targets.Clone(), w, ignoreIndex) : null);
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

internal sealed class SoftmaxCrossEntropyNode<T>(Var<T> logits, Tensor<T> p, int[] targets, T w, int ignoreIndex) : Node<T>(logits)
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
            g[targets[r]] -= scale;                                              // − w·onehot
        }
    }
}
