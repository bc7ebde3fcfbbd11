using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Embedding lookup: y[n, :] = table[indices[n], :], table (V, E) → y (N, E).
    /// ∂L/∂table[v, :] = Σ_{n : indices[n] = v} ∂L/∂y[n, :] (a scatter-add: repeated indices accumulate; rows never
    /// looked up get 0). An index outside [0, V) is an error naming its position and value, and so is a padding index ≥ V. Positions whose index equals
    /// <paramref name="paddingIndex"/> (when ≥ 0) send no gradient, as PyTorch's <c>padding_idx</c>: the padding row stays fixed.
    /// </summary>
    public static Var<T> GatherRows<T>(Var<T> table, ReadOnlySpan<int> indices, int paddingIndex = -1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Value.Rank != 2)
            throw new ArgumentException($"GatherRows: the table must be 2-D (V, E), got {table.Value.ShapeString}.", nameof(table));
        int v = table.Value.Dim(0), e = table.Value.Dim(1);
        if (paddingIndex >= v)   // a padding row the table does not have would silently never match
            throw new ArgumentOutOfRangeException(nameof(paddingIndex),
                $"GatherRows: the padding index {paddingIndex} is outside [0, {v}) for table {table.Value.ShapeString} (a negative one means none).");
        for (int n = 0; n < indices.Length; n++)
            if ((uint)indices[n] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"GatherRows: index {indices[n]} at position {n} is outside [0, {v}) for table {table.Value.ShapeString}.");
        var y = Tensor<T>.Uninitialized(indices.Length, e);                      // every row is copied below
        var ts = table.Value.Span;
        var ys = y.Span;
        for (int n = 0; n < indices.Length; n++)
            ts.Slice(indices[n] * e, e).CopyTo(ys.Slice(n * e, e));
        return Var<T>.FromOp(y, Node<T>.Tracks(table) ? new GatherRowsNode<T>(table, indices.ToArray(), paddingIndex) : null);
    }

    /// <inheritdoc cref="GatherRows{T}(Var{T}, ReadOnlySpan{int}, int)"/>
    public static Var<T> GatherRows<T>(Var<T> table, int[] indices) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indices);
        return GatherRows(table, (ReadOnlySpan<int>)indices);
    }
}

/// <summary>Saves a copy of the indices, so later changes to the caller's array cannot change the gradient.</summary>
internal sealed class GatherRowsNode<T>(Var<T> table, int[] indices, int paddingIndex) : Node<T>(table)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gt = GradOf(table).Span;
        var gy = gradOutput.Span;
        int e = table.Value.Dim(1);
        for (int n = 0; n < indices.Length; n++)
        {
            if (indices[n] == paddingIndex) continue;
            var row = gt.Slice(indices[n] * e, e);
            TensorPrimitives.Add(row, gy.Slice(n * e, e), row);
        }
    }
}
