using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = σ(x) = 1 / (1 + e^(−x)), elementwise.  ∂L/∂x = ∂L/∂y ⊙ y ⊙ (1 − y).
    /// Stable for large |x|: σ(−300) = 0 and σ(300) = 1 with gradient 0, never NaN.
    /// </summary>
    public static Var<T> Sigmoid<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        Elementwise.Sigmoid<T>(x.Value.Span, y.Span);   // per element, the same bits alone or in a batch
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new SigmoidNode<T>(x, y) : null);
    }
}

internal sealed class SigmoidNode<T>(Var<T> x, Tensor<T> y) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var ys = y.Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < gx.Length; i++)
            gx[i] += gy[i] * ys[i] * (T.One - ys[i]);
    }
}
