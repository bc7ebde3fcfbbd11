using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = max(x, 0), elementwise.  ∂L/∂x = ∂L/∂y where x &gt; 0, else 0 (the subgradient 0 at x = 0, as in PyTorch).
    /// </summary>
    public static Var<T> Relu<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        TensorPrimitives.Max(x.Value.Span, T.Zero, y.Span);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new ReluNode<T>(x) : null);
    }
}

internal sealed class ReluNode<T>(Var<T> x) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var xs = x.Value.Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < gx.Length; i++)
            if (xs[i] > T.Zero) gx[i] += gy[i];
    }
}
