namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Cuts x along <paramref name="axis"/> into consecutive pieces of the given sizes (which must add up to
    /// the axis length): piece j = x[…, s_j : s_j + sizes[j], …] with s_j = Σ_{i&lt;j} sizes[i]. Each piece is a
    /// <see cref="Slice{T}"/>, so its gradient lands in its own range of ∂L/∂x. The inverse of <see cref="Concat{T}"/>.
    /// </summary>
    public static Var<T>[] Split<T>(Var<T> x, int[] sizes, int axis) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sizes);
        var layout = AxisLayout.Of(x.Value.Shape, axis, "Split");
        long total = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new ArgumentException($"Split: negative size in [{string.Join(", ", sizes)}].");
            total += s;
        }
        if (total != layout.N)
            throw new ArgumentException(
                $"Split: sizes [{string.Join(", ", sizes)}] add up to {total}, but axis {layout.Axis} of shape {x.Value.ShapeString} has length {layout.N}.");
        var pieces = new Var<T>[sizes.Length];
        int start = 0;
        for (int j = 0; j < sizes.Length; j++)
        {
            pieces[j] = Slice(x, layout.Axis, start, sizes[j]);
            start += sizes[j];
        }
        return pieces;
    }
}
