using System.Runtime.Intrinsics;
using SeqLearn.Tensors;

namespace SeqLearn.Kernels;

/// <summary>
/// The transposed mat-vec of <see cref="MatVec.MultiplyTransposed"/> with W stored in bfloat16 (the upper 16 bits of
/// a float32: same exponent range, 8-bit significand), halving the bytes a batch-1 step streams. Arithmetic stays
/// float32: a bfloat16 b is exactly the float with bits b·2¹⁶. Layout (<see cref="PackTransposed"/>): rows padded to
/// a multiple of 32, and for every k and every block of 32 rows one <c>uint</c> per row pair (r, r + 16), row r in
/// the low half and row r + 16 in the high half, so one 512-bit load gives 32 weights and two instructions (a shift
/// and a mask) turn them into two float vectors.
/// </summary>
internal static class MatVecBf16
{
    private const int Block = 32;

    /// <summary>float32 → bfloat16, rounding to nearest even (NaN stays NaN).</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>bfloat16 → float32 (exact).</summary>
    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>Rounds every element to the nearest bfloat16 (kept as float32).</summary>
    public static void Round(Span<float> values)
    {
        foreach (ref float v in values) v = ToSingle(FromSingle(v));
    }

    /// <summary><paramref name="rows"/> rounded up to a multiple of 32: the rows <see cref="PackTransposed"/> stores.</summary>
    public static int PaddedRows(int rows) => (rows + Block - 1) / Block * Block;

    /// <summary>Packs W (rows, cols), row-major float32, into the paired transposed bfloat16 layout (cols · PaddedRows / 2 words); throws for a negative size or a layout past one array.</summary>
    public static uint[] PackTransposed(ReadOnlySpan<float> w, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"MatVecBf16.PackTransposed: negative size {rows} × {cols}.");
        ShapeUtil.ArrayLength((rows + (long)Block - 1) / Block * (Block / 2) * cols, "MatVecBf16.PackTransposed",
            $"the words packing W of {rows} × {cols} (rows padded to a multiple of {Block}, two per word)", "use a smaller weight matrix.");
        if ((long)rows * cols != w.Length) throw new ArgumentException($"MatVecBf16.PackTransposed: W has {w.Length} elements, expected {rows} × {cols}.");
        int half = PaddedRows(rows) / 2;
        var packed = new uint[cols * half];
        for (int r = 0; r < rows; r++)
        {
            int block = r / Block, j = r % Block, slot = block * 16 + j % 16, shift = j < 16 ? 0 : 16;
            for (int k = 0; k < cols; k++) packed[k * half + slot] |= (uint)FromSingle(w[r * cols + k]) << shift;
        }
        return packed;
    }

    /// <summary>
    /// y (rows) ← W x (+ bias) with W packed by <see cref="PackTransposed"/>; every output is one FMA chain in order of k.
    /// <paramref name="width"/> chooses the vectors as for <see cref="MatVec.MultiplyTransposed"/> (512, 256 or 128 bits,
    /// <see cref="MatVecBf16Narrow"/>, or none); the result is the same bit for bit at every width.
    /// </summary>
    public static void MultiplyTransposed(ReadOnlySpan<uint> wt, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y,
        GateWidth width = GateWidth.Auto)
    {
        int rows = y.Length, cols = x.Length, half = PaddedRows(rows) / 2;
        if ((long)cols * half != wt.Length)
            throw new ArgumentException($"MatVecBf16.MultiplyTransposed: W has {wt.Length} words, expected cols × padded rows / 2 = {cols} × {half}.");
        if (!bias.IsEmpty && bias.Length != rows)
            throw new ArgumentException($"MatVecBf16.MultiplyTransposed: the bias has {bias.Length} elements, expected {rows} (or none).");
        ref uint rw = ref MemoryMarshal.GetReference(wt);
        ref float rx = ref MemoryMarshal.GetReference(x);
        Span<float> tail = stackalloc float[Block];
        int r = 0;
        if (GateDispatch.Use512<float>(width))
        {
            for (; r + 4 * Block <= rows; r += 4 * Block) Axpy4Blocks(ref rw, ref rx, y.Slice(r, 4 * Block), r / 2, half, cols);
            for (; r < rows; r += Block)
            {
                bool whole = r + Block <= rows;
                Span<float> dst = whole ? y.Slice(r, Block) : tail;
                AxpyBlock(ref rw, ref rx, dst, r / 2, half, cols);
                if (!whole) tail[..(rows - r)].CopyTo(y[r..]);
            }
        }
        if (GateDispatch.Use256<float>(width)) r = MatVecBf16Narrow.Transposed256(ref rw, ref rx, y, tail, r, half, cols);
        if (GateDispatch.Use128<float>(width)) r = MatVecBf16Narrow.Transposed128(ref rw, ref rx, y, tail, r, half, cols);
        for (; r < rows; r++)
        {
            int slot = r / Block * 16 + r % 16, shift = r % Block < 16 ? 16 : 0;
            float s = 0;
            for (int k = 0; k < cols; k++)
                s = MathF.FusedMultiplyAdd(BitConverter.UInt32BitsToSingle((Unsafe.Add(ref rw, k * half + slot) << shift) & 0xFFFF0000u), Unsafe.Add(ref rx, k), s);
            y[r] = s;
        }
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias, y);
    }

    /// <summary>128 outputs (four row blocks): eight accumulators, four 512-bit loads of packed pairs per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy4Blocks(ref uint wt, ref float x, Span<float> y, int slot, int half, int cols)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        var mask = Vector512.Create(0xFFFF0000u);
        ref uint w = ref Unsafe.Add(ref wt, slot);
        for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, half))
        {
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            var p0 = Vector512.LoadUnsafe(ref w, 0);
            var p1 = Vector512.LoadUnsafe(ref w, 16);
            var p2 = Vector512.LoadUnsafe(ref w, 32);
            var p3 = Vector512.LoadUnsafe(ref w, 48);
            a0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(p0, 16).AsSingle(), xk, a0);
            a1 = Vector512.FusedMultiplyAdd((p0 & mask).AsSingle(), xk, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(p1, 16).AsSingle(), xk, a2);
            a3 = Vector512.FusedMultiplyAdd((p1 & mask).AsSingle(), xk, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(p2, 16).AsSingle(), xk, a4);
            a5 = Vector512.FusedMultiplyAdd((p2 & mask).AsSingle(), xk, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(p3, 16).AsSingle(), xk, a6);
            a7 = Vector512.FusedMultiplyAdd((p3 & mask).AsSingle(), xk, a7);
        }
        ref float ry = ref MemoryMarshal.GetReference(y);
        a0.StoreUnsafe(ref ry, 0); a1.StoreUnsafe(ref ry, 16); a2.StoreUnsafe(ref ry, 32); a3.StoreUnsafe(ref ry, 48);
        a4.StoreUnsafe(ref ry, 64); a5.StoreUnsafe(ref ry, 80); a6.StoreUnsafe(ref ry, 96); a7.StoreUnsafe(ref ry, 112);
    }

    /// <summary>32 outputs (one row block), two accumulators.</summary>
    private static void AxpyBlock(ref uint wt, ref float x, Span<float> y, int slot, int half, int cols)
    {
        Vector512<float> lo = default, hi = default;
        var mask = Vector512.Create(0xFFFF0000u);
        for (int k = 0; k < cols; k++)
        {
            var p = Vector512.LoadUnsafe(ref wt, (nuint)((nint)k * half + slot));
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            lo = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(p, 16).AsSingle(), xk, lo);
            hi = Vector512.FusedMultiplyAdd((p & mask).AsSingle(), xk, hi);
        }
        ref float ry = ref MemoryMarshal.GetReference(y);
        lo.StoreUnsafe(ref ry, 0);
        hi.StoreUnsafe(ref ry, 16);
    }
}
