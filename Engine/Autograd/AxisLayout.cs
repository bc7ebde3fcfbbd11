using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// A row-major shape seen as (outer, N, inner) around one axis: element (o, k, i) is at
/// <c>(o·N + k)·inner + i</c>. Axis ops (Sum, Slice, Concat, Split) loop over o and move contiguous blocks of
/// k·inner elements.
/// </summary>
internal readonly record struct AxisLayout(int Axis, int Outer, int N, int Inner)
{
    /// <summary>The layout of <paramref name="shape"/> around <paramref name="axis"/> (negative counts from the end).</summary>
    public static AxisLayout Of(ReadOnlySpan<int> shape, int axis, string op)
    {
        int a = ShapeUtil.NormalizeAxis(axis, shape.Length, op);
        int outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.Length; d++) inner *= shape[d];
        return new AxisLayout(a, outer, shape[a], inner);
    }

    /// <summary><paramref name="shape"/> with the axis replaced by <paramref name="size"/>.</summary>
    public static int[] WithAxis(ReadOnlySpan<int> shape, int axis, int size)
    {
        var s = shape.ToArray();
        s[axis] = size;
        return s;
    }

    /// <summary><paramref name="shape"/> with the axis removed.</summary>
    public static int[] WithoutAxis(ReadOnlySpan<int> shape, int axis)
    {
        var s = new int[shape.Length - 1];
        for (int d = 0, j = 0; d < shape.Length; d++)
            if (d != axis) s[j++] = shape[d];
        return s;
    }

    /// <summary>
    /// Copies, for every outer index, <paramref name="count"/> slices of the axis from <paramref name="src"/>
    /// (axis length <paramref name="srcN"/>, starting at <paramref name="srcStart"/>) into <paramref name="dst"/>
    /// (axis length <paramref name="dstN"/>, starting at <paramref name="dstStart"/>); with <paramref name="accumulate"/>
    /// it adds instead of copying.
    /// </summary>
    public static void CopyBlocks<T>(ReadOnlySpan<T> src, int srcN, int srcStart, Span<T> dst, int dstN, int dstStart,
        int count, int outer, int inner, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = count * inner;
        if (block == 0) return;
        for (int o = 0; o < outer; o++)
        {
            var s = src.Slice((o * srcN + srcStart) * inner, block);
            var d = dst.Slice((o * dstN + dstStart) * inner, block);
            if (accumulate) TensorPrimitives.Add(d, s, d);
            else s.CopyTo(d);
        }
    }
}
