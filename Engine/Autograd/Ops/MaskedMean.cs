using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Mean over the valid steps of each row: x (B, T, F), lengths (B) → y (B, F),
    /// y[b, :] = (Σ_{t &lt; len_b} x[b, t, :]) / len_b, the sum taken in order t = 0, 1, …; padded steps are never read.
    /// ∂L/∂x[b, t, :] = ∂L/∂y[b, :] / len_b for t &lt; len_b, 0 for t ≥ len_b.
    /// </summary>
    public static Var<T> MaskedMean<T>(Var<T> x, int[] lengths) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (b, t, f) = PooledShape(x, lengths, "MaskedMean");
        var y = Tensor<T>.Zeros(b, f);
        var xs = x.Value.Span;
        for (int r = 0; r < b; r++)
        {
            var yr = y.Span.Slice(r * f, f);
            for (int s = 0; s < lengths[r]; s++)
                TensorPrimitives.Add(yr, xs.Slice((r * t + s) * f, f), yr);     // Σ_{t < len} x[b, t, :]
            TensorPrimitives.Divide(yr, T.CreateTruncating(lengths[r]), yr);
        }
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new MaskedMeanNode<T>(x, (int[])lengths.Clone()) : null);
    }
}

internal sealed class MaskedMeanNode<T>(Var<T> x, int[] lengths) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        int t = x.Value.Dim(1), f = x.Value.Dim(2);
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        var share = new T[f];                                                    // ∂L/∂y[b, :] / len_b
        for (int r = 0; r < lengths.Length; r++)
        {
            TensorPrimitives.Divide(gy.Slice(r * f, f), T.CreateTruncating(lengths[r]), share);
            for (int s = 0; s < lengths[r]; s++)
            {
                var dst = gx.Slice((r * t + s) * f, f);
                TensorPrimitives.Add(dst, share, dst);
            }
        }
    }
}
