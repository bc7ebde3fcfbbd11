using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

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
            throw new ArgumentException($"{op}: shapes {a.ShapeString} and {b.ShapeString} are neither equal nor (…, N) with a row (N) or (1, N).");
        return true;
    }

    /// <summary>Adds the column sums of <paramref name="grad"/> (R, N) into the row gradient <paramref name="rowGrad"/> (N): ∂L/∂b = Σ_r ∂L/∂y_r.</summary>
    public static void SumRowsInto<T>(ReadOnlySpan<T> grad, Span<T> rowGrad) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = rowGrad.Length;
        if (n == 0) return;
        for (int r = 0; r < grad.Length; r += n)
            TensorPrimitives.Add(rowGrad, grad.Slice(r, n), rowGrad);
    }
}
