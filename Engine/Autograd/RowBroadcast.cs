using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>An elementwise span kernel <c>d = x ∘ y</c> (the shape of TensorPrimitives' binary methods).</summary>
internal delegate void SpanBinary<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);

/// <summary>
/// The one broadcast SeqLearn's binary ops support: <c>b</c> is either the same shape as <c>a</c>, or a row
/// (shape (N) or (1, N)) that is repeated over every leading index of <c>a</c> whose last axis is N — the
/// bias case. Anything else is a shape error naming the op and both shapes.
/// </summary>
internal static class RowBroadcast
{
    /// <summary>True when b is broadcast as a row; false when the shapes are equal.</summary>
    public static bool Check<T>(Tensor<T> a, Tensor<T> b, string op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (a.SameShape(b)) return false;
        bool isRow = b.Rank >= 1 && a.Rank >= 1 && b.Length == a.Dim(-1)
                     && (b.Rank == 1 || (b.Rank == 2 && b.Dim(0) == 1));
        if (!isRow)
            throw new ArgumentException($"{op}: shapes {a.ShapeString} and {b.ShapeString} are neither equal nor (…, N) with a row (N) or (1, N).", nameof(b));
        return true;
    }

    /// <summary>
    /// y = a ∘ b with <paramref name="kernel"/> applied to equal shapes or row by row when b is a broadcast row.
    /// Returns the new tensor (a's shape) and whether b was broadcast.
    /// </summary>
    public static (Tensor<T> Y, bool Row) Apply<T>(Tensor<T> a, Tensor<T> b, SpanBinary<T> kernel, string op)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool row = Check(a, b, op);
        var y = Tensor<T>.ZerosLike(a);
        ForEachRow(a.Span, b.Span, y.Span, row, kernel);
        return (y, row);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/>(x, b, d) once over the whole span (equal shapes) or once per row of
    /// length N when <paramref name="row"/> is true, b being the row.
    /// </summary>
    public static void ForEachRow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> b, Span<T> d, bool row, SpanBinary<T> kernel)
    {
        if (!row)
        {
            kernel(x, b, d);
            return;
        }
        int n = b.Length;
        if (n == 0) return;
        for (int r = 0; r < d.Length; r += n)
            kernel(x.Slice(r, n), b, d.Slice(r, n));
    }

    /// <summary>Adds the column sums of <paramref name="grad"/> (R, N) into the row gradient <paramref name="rowGrad"/> (N): ∂L/∂b = Σ_r ∂L/∂y_r.</summary>
    public static void SumRowsInto<T>(ReadOnlySpan<T> grad, Span<T> rowGrad) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = rowGrad.Length;
        if (n == 0) return;
        for (int r = 0; r < grad.Length; r += n)
            TensorPrimitives.Add(rowGrad, grad.Slice(r, n), rowGrad);
    }

    /// <summary>Adds <paramref name="grad"/> into the gradient of b: the same shape, or summed over rows when b was broadcast.</summary>
    public static void AccumulateInto<T>(ReadOnlySpan<T> grad, Span<T> bGrad, bool row) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (row) SumRowsInto(grad, bGrad);
        else TensorPrimitives.Add(bGrad, grad, bGrad);
    }
}
