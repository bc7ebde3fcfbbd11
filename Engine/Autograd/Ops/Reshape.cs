using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = x with a new shape (same elements in the same row-major order; one size may be −1 and is inferred).
    /// y's value is a view sharing x's storage.  ∂L/∂x = ∂L/∂y reshaped back.
    /// </summary>
    public static Var<T> Reshape<T>(Var<T> x, params int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        var y = x.Value.Reshape(shape);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new ReshapeNode<T>(x) : null);
    }
}

internal sealed class ReshapeNode<T>(Var<T> x) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput) => AddPassThrough(x, gradOutput);
}
