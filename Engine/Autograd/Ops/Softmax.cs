using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = exp(x − m) / Σⱼ exp(xⱼ − m) over the last axis (m = maxⱼ xⱼ, so large logits cannot overflow).
    /// ∂L/∂x = y ⊙ (∂L/∂y − Σⱼ ∂L/∂yⱼ · yⱼ)  (per row).
    /// </summary>
    public static Var<T> Softmax<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        int n = RowLength(x.Value, "Softmax");
        var xs = x.Value.Span;
        var ys = y.Span;
        for (int r = 0; r < ys.Length; r += n)
            SoftmaxRow<T>(xs.Slice(r, n), ys.Slice(r, n));
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new SoftmaxNode<T>(x, y, n) : null);
    }

    /// <summary>p = exp(x − max x) / Σ exp(x − max x) for one row.</summary>
    internal static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T m = TensorPrimitives.Max<T>(x);
        TensorPrimitives.Subtract<T>(x, m, p);
        TensorPrimitives.Exp<T>(p, p);
        T sum = TensorPrimitives.Sum<T>(p);
        TensorPrimitives.Divide<T>(p, sum, p);
    }
}

internal sealed class SoftmaxNode<T>(Var<T> x, Tensor<T> y, int n) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        var ys = y.Span;
        for (int r = 0; r < gx.Length; r += n)
        {
            T dot = TensorPrimitives.Dot<T>(gy.Slice(r, n), ys.Slice(r, n));
            for (int j = r; j < r + n; j++)
                gx[j] += ys[j] * (gy[j] - dot);
        }
    }
}
