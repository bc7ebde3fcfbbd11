using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = xᵀ for a 2-D value: (M, N) → (N, M), y[j, i] = x[i, j] (a copy).  ∂L/∂x = (∂L/∂y)ᵀ.
    /// </summary>
    public static Var<T> Transpose<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Value.Rank != 2)
            throw new ArgumentException($"Transpose: the value must be 2-D, got {x.Value.ShapeString}.");
        int m = x.Value.Dim(0), n = x.Value.Dim(1);
        var y = Tensor<T>.Zeros(n, m);
        TransposeInto(x.Value.Span, m, n, y.Span, accumulate: false);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new TransposeNode<T>(x) : null);
    }

    /// <summary>dst (N, M) = src (M, N)ᵀ, or dst += srcᵀ with <paramref name="accumulate"/>.</summary>
    internal static void TransposeInto<T>(ReadOnlySpan<T> src, int m, int n, Span<T> dst, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var row = src.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                if (accumulate) dst[j * m + i] += row[j];
                else dst[j * m + i] = row[j];
            }
        }
    }
}

internal sealed class TransposeNode<T>(Var<T> x) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>∂L/∂x (M, N) += (∂L/∂y (N, M))ᵀ.</summary>
    protected internal override void Backward(Tensor<T> gradOutput) =>
        Ops.TransposeInto<T>(gradOutput.Span, gradOutput.Dim(0), gradOutput.Dim(1), GradOf(x).Span, accumulate: true);
}
