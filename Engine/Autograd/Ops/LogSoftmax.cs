using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = x − logΣⱼ exp(xⱼ) over the last axis, computed as y = (x − m) − log Σⱼ exp(xⱼ − m) with m = maxⱼ xⱼ,
    /// so logits of ±1e4 stay finite.  ∂L/∂x = ∂L/∂y − softmax(x) · Σⱼ ∂L/∂yⱼ  (per row; softmax = exp(y)).
    /// </summary>
    public static Var<T> LogSoftmax<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        int n = RowLength(x.Value, "LogSoftmax");
        var xs = x.Value.Span;
        var ys = y.Span;
        for (int r = 0; r < ys.Length; r += n)
            LogSoftmaxRow<T>(xs.Slice(r, n), ys.Slice(r, n));
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new LogSoftmaxNode<T>(x, y, n) : null);
    }

    /// <summary>y = (x − max x) − log Σ exp(x − max x) for one row (y is used as scratch for exp).</summary>
    internal static void LogSoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T m = TensorPrimitives.Max<T>(x);
        TensorPrimitives.Subtract<T>(x, m, y);          // y = x − m (≤ 0)
        TensorPrimitives.Exp<T>(y, y);                   // scratch: exp(x − m)
        T logSum = T.Log(TensorPrimitives.Sum<T>(y));    // log Σ exp(x − m), Σ ∈ [1, n]
        TensorPrimitives.Subtract<T>(x, m, y);
        TensorPrimitives.Subtract<T>(y, logSum, y);
    }

    /// <summary>The length of the last axis (the softmax axis); rank-0 values are rejected.</summary>
    private static int RowLength<T>(Tensor<T> x, string op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Rank == 0) throw new ArgumentException($"{op}: needs at least one axis, got a scalar.", nameof(x));
        int n = x.Dim(-1);
        if (n == 0 && x.Length > 0) throw new ArgumentException($"{op}: the last axis of {x.ShapeString} is empty.", nameof(x));
        return Math.Max(n, 1);
    }
}

internal sealed class LogSoftmaxNode<T>(Var<T> x, Tensor<T> y, int n) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        var ys = y.Span;
        for (int r = 0; r < gx.Length; r += n)
        {
            T sum = TensorPrimitives.Sum<T>(gy.Slice(r, n));
            for (int j = r; j < r + n; j++)
                gx[j] += gy[j] - T.Exp(ys[j]) * sum;
        }
    }
}
