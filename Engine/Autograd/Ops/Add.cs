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
        bool row = RowBroadcast.Check(a.Value, b.Value, "Add");
        var y = Tensor<T>.ZerosLike(a.Value);
        if (!row)
        {
            TensorPrimitives.Add(a.Value.Span, b.Value.Span, y.Span);
        }
        else
        {
            int n = b.Value.Length;
            var ys = y.Span;
            var xs = a.Value.Span;
            for (int r = 0; r < ys.Length; r += n)
                TensorPrimitives.Add(xs.Slice(r, n), b.Value.Span, ys.Slice(r, n));
        }
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new AddNode<T>(a, b, row) : null);
    }
}

internal sealed class AddNode<T>(Var<T> a, Var<T> b, bool rowBroadcast) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected internal override void Backward(Tensor<T> gradOutput)
    {
        if (a.RequiresGrad)
        {
            var ga = GradOf(a);
            TensorPrimitives.Add(ga.Span, gradOutput.Span, ga.Span);
        }
        if (b.RequiresGrad)
        {
            var gb = GradOf(b);
            if (rowBroadcast) RowBroadcast.SumRowsInto<T>(gradOutput.Span, gb.Span);
            else TensorPrimitives.Add(gb.Span, gradOutput.Span, gb.Span);
        }
    }
}
