using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = a ⊘ b (elementwise), with b either the same shape as a or a row (N) broadcast over a's leading axes.
    /// ∂L/∂a = ∂L/∂y ⊘ b;  ∂L/∂b = −∂L/∂y ⊙ a ⊘ b² = −∂L/∂y ⊙ y ⊘ b, summed over the broadcast rows.
    /// </summary>
    public static Var<T> Div<T>(Var<T> a, Var<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (y, row) = RowBroadcast.Apply(a.Value, b.Value, TensorPrimitives.Divide<T>, "Div");
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new DivNode<T>(a, b, y, row) : null);
    }
}

internal sealed class DivNode<T>(Var<T> a, Var<T> b, Tensor<T> y, bool rowBroadcast) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var g = gradOutput.Span;
        // g ⊘ b, the gradient of a and (times −y) of b.
        var gOverB = new T[g.Length];
        RowBroadcast.ForEachRow<T>(g, b.Value.Span, gOverB, rowBroadcast, TensorPrimitives.Divide<T>);
        if (a.RequiresGrad)
        {
            var ga = GradOf(a).Span;
            TensorPrimitives.Add(ga, gOverB, ga);
        }
        if (b.RequiresGrad)
        {
            TensorPrimitives.Multiply(gOverB, y.Span, gOverB);
            TensorPrimitives.Negate<T>(gOverB, gOverB);
            RowBroadcast.AccumulateInto<T>(gOverB, GradOf(b).Span, rowBroadcast);
        }
    }
}
