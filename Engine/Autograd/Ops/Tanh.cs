using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = tanh(x), elementwise.  ∂L/∂x = ∂L/∂y ⊙ (1 − y²)  (the saved output is all backward needs).
    /// Stable for large |x|: tanh(±300) = ±1 and the gradient is 0, never NaN.
    /// </summary>
    public static Var<T> Tanh<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        Elementwise.Tanh<T>(x.Value.Span, y.Span);   // per element, the same bits alone or in a batch
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new TanhNode<T>(x, y) : null);
    }
}

internal sealed class TanhNode<T>(Var<T> x, Tensor<T> y) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var ys = y.Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < gx.Length; i++)
            gx[i] += gy[i] * (T.One - ys[i] * ys[i]);
    }
}
