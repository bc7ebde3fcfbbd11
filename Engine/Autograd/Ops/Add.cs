using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = a + b, with b either the same shape as a or a row (N) broadcast over a's leading axes.
    /// ∂L/∂a = ∂L/∂y;  ∂L/∂b = ∂L/∂y, summed over the broadcast rows.
    /// </summary>
    public static Var<T> Add<T>(Var<T> a, Var<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (y, row) = RowBroadcast.Apply(a.Value, b.Value, TensorPrimitives.Add<T>, "Add");
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new AddNode<T>(a, b, row) : null);
    }
}

internal sealed class AddNode<T>(Var<T> a, Var<T> b, bool rowBroadcast) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        if (a.RequiresGrad)
        {
            var ga = GradOf(a);
            TensorPrimitives.Add(ga.Span, gradOutput.Span, ga.Span);
        }
        if (b.RequiresGrad)
            RowBroadcast.AccumulateInto<T>(gradOutput.Span, GradOf(b).Span, rowBroadcast);
    }
}
