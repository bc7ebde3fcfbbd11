using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>y = eˣ, elementwise.  ∂L/∂x = ∂L/∂y ⊙ y.</summary>
    public static Var<T> Exp<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        Elementwise.Exp<T>(x.Value.Span, y.Span);   // per element, the same bits alone or in a batch
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new ExpNode<T>(x, y) : null);
    }
}

internal sealed class ExpNode<T>(Var<T> x, Tensor<T> y) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        TensorPrimitives.MultiplyAdd(gradOutput.Span, y.Span, gx, gx);
    }
}
