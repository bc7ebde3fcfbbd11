using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>y = ln x, elementwise (−∞ at 0, NaN below).  ∂L/∂x = ∂L/∂y ⊘ x.</summary>
    public static Var<T> Log<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        Elementwise.Log<T>(x.Value.Span, y.Span);   // per element, the same bits alone or in a batch
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new LogNode<T>(x) : null);
    }
}

internal sealed class LogNode<T>(Var<T> x) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var xs = x.Value.Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < gx.Length; i++)
            gx[i] += gy[i] / xs[i];
    }
}
