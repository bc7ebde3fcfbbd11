using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = a ⊙ b (elementwise), with b either the same shape as a or a row (N) broadcast over a's leading axes.
    /// ∂L/∂a = ∂L/∂y ⊙ b;  ∂L/∂b = ∂L/∂y ⊙ a, summed over the broadcast rows.
    /// </summary>
    public static Var<T> Mul<T>(Var<T> a, Var<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (y, row) = RowBroadcast.Apply(a.Value, b.Value, TensorPrimitives.Multiply<T>, "Mul");
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new MulNode<T>(a, b, row) : null);
    }
}

internal sealed class MulNode<T>(Var<T> a, Var<T> b, bool rowBroadcast) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected internal override void Backward(Tensor<T> gradOutput)
    {
        var g = gradOutput.Span;
        if (a.RequiresGrad)
        {
            // ∂L/∂a = g ⊙ b (b repeated per row when broadcast).
            var ga = GradOf(a).Span;
            var term = new T[ga.Length];
            RowBroadcast.ForEachRow<T>(g, b.Value.Span, term, rowBroadcast, TensorPrimitives.Multiply<T>);
            TensorPrimitives.Add(ga, term, ga);
        }
        if (b.RequiresGrad)
        {
            // ∂L/∂b = g ⊙ a, summed over rows when broadcast.
            var term = new T[g.Length];
            TensorPrimitives.Multiply(g, a.Value.Span, term);
            RowBroadcast.AccumulateInto<T>(term, GradOf(b).Span, rowBroadcast);
        }
    }
}
