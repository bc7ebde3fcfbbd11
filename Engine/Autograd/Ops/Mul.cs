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
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (y, row) = RowBroadcast.Apply(a.Value, b.Value, TensorPrimitives.Multiply<T>, "Mul");
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new MulNode<T>(a, b, row) : null);
    }
}

internal sealed class MulNode<T>(Var<T> a, Var<T> b, bool rowBroadcast) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var g = gradOutput.Span;
        var av = a.Value.Span;
        var bv = b.Value.Span;
        int n = rowBroadcast ? bv.Length : g.Length;    // rows of n elements (one row when not broadcast)
        // The gradients are taken before the empty case returns: a zero-size operand still gets a gradient of its shape
        // (empty, or zeros for a row), as with every other op; Grad == null means that no gradient reached a value.
        var ga = a.RequiresGrad ? GradOf(a).Span : default;
        var gb = b.RequiresGrad ? GradOf(b).Span : default;
        if (n == 0) return;
        if (a.RequiresGrad)
        {
            for (int r = 0; r < g.Length; r += n)        // ∂L/∂a_r += g_r ⊙ b (b repeated per row)
                TensorPrimitives.MultiplyAdd<T>(g.Slice(r, n), rowBroadcast ? bv : bv.Slice(r, n), ga.Slice(r, n), ga.Slice(r, n));
        }
        if (b.RequiresGrad)
        {
            for (int r = 0; r < g.Length; r += n)        // ∂L/∂b += g_r ⊙ a_r (summed over rows)
            {
                var gbr = rowBroadcast ? gb : gb.Slice(r, n);
                TensorPrimitives.MultiplyAdd<T>(g.Slice(r, n), av.Slice(r, n), gbr, gbr);
            }
        }
    }
}
