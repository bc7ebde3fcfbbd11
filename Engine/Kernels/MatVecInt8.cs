using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SeqLearn.Tensors;

namespace SeqLearn.Kernels;

/// <summary>
/// The transposed mat-vec of <see cref="MatVec.MultiplyTransposed"/> with W stored as int8 with one float scale per
/// row (weight-only quantisation: x, the accumulators and y stay float32), a quarter of the bytes of float32:
/// <code>
/// s_r = max_k |W[r, k]| / 127          q[r, k] = clamp(round(W[r, k] / s_r), −127, 127)      (s_r = 0 ⇒ q = 0)
/// y_r = s_r · (Σ_k q[r, k] · x_k) + b_r     the sum one FMA chain in order of k, then one FMA for s_r and b_r
/// </code>
/// |W[r, k] − s_r q[r, k]| ≤ s_r / 2, so the quantised product is within (s_r / 2) · Σ_k |x_k| of the float one
/// (plus float rounding). Layout (<see cref="PackTransposed"/>): q transposed, k-major, rows padded to a multiple of
/// 16 with zeros: byte k · PaddedRows + r. Sixteen consecutive bytes are one row block for one k: one sign-extending
/// load (<c>vpmovsxbd</c>) gives 16 int32, one conversion 16 floats (exact: |q| ≤ 127), one FMA adds q·x_k. Every
/// path (AVX-512, AVX2, scalar) performs the same float operations in the same order, so all give bit-identical
/// results and a row's value does not depend on the rows computed with it.
/// </summary>
internal static class MatVecInt8
{
    private const int Block = 16;

    /// <summary><paramref name="rows"/> rounded up to a multiple of 16: the rows <see cref="PackTransposed"/> stores.</summary>
    public static int PaddedRows(int rows) => (rows + Block - 1) / Block * Block;

    /// <summary>
    /// Quantises each row of W (rows, cols), row-major: q (cols · PaddedRows bytes, transposed as described above)
    /// and s (rows). Throws if a weight is not finite (its row has no scale), a size is negative or q would not fit one array.
    /// </summary>
    public static (sbyte[] Packed, float[] Scales) PackTransposed(ReadOnlySpan<float> w, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"MatVecInt8.PackTransposed: negative size {rows} × {cols}.");
        ShapeUtil.ArrayLength((rows + (long)Block - 1) / Block * Block * cols, "MatVecInt8.PackTransposed",
            $"the bytes packing W of {rows} × {cols} (rows padded to a multiple of {Block})", "use a smaller weight matrix.");
        if ((long)rows * cols != w.Length) throw new ArgumentException($"MatVecInt8.PackTransposed: W has {w.Length} elements, expected {rows} × {cols}.");
        int padded = PaddedRows(rows);
        var packed = new sbyte[cols * padded];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = w.Slice(r * cols, cols);
            float s = scales[r] = Scale(row, r);
            for (int k = 0; k < cols; k++) packed[k * padded + r] = Quantize(row[k], s);
        }
        return (packed, scales);
    }

    /// <summary>s = max |w_k| / 127 of one row (0 for a zero row); <paramref name="r"/> names the row in the error for a non-finite weight.</summary>
    public static float Scale(ReadOnlySpan<float> row, int r)
    {
        float max = 0;
        foreach (float v in row)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"MatVecInt8: row {r} holds {v}; only finite weights can be quantised.");
            max = MathF.Max(max, MathF.Abs(v));
        }
        return max / 127;
    }

    /// <summary>q = clamp(round(w / s), −127, 127), rounding half to even; 0 when s = 0.</summary>
    public static sbyte Quantize(float w, float s) => s == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(w / s), -127f, 127f);

    /// <summary>Replaces every row of W (rows, cols) by its quantised value s_r · q[r, k] (the matrix the int8 kernel multiplies by, up to rounding of the product).</summary>
    public static void Dequantize(Span<float> w, int rows, int cols)
    {
        if ((long)rows * cols != w.Length) throw new ArgumentException($"MatVecInt8.Dequantize: W has {w.Length} elements, expected {rows} × {cols}.");
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = w.Slice(r * cols, cols);
            float s = Scale(row, r);
            foreach (ref float v in row) v = s * Quantize(v, s);
        }
    }

    /// <summary>y (rows) ← s ⊙ (Q x) (+ bias) with Q packed by <see cref="PackTransposed"/>, on the widest vector path of this machine (or <c>SEQLEARN_ISA</c>'s, <see cref="KernelPath.DefaultInt8"/>).</summary>
    public static void MultiplyTransposed(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y) =>
        MultiplyTransposed(qt, scales, x, bias, y, KernelPath.DefaultInt8);

    /// <summary>
    /// As above on a chosen path: <see cref="GemmIsa.Avx512"/>, <see cref="GemmIsa.Avx2"/>, or null (or
    /// <see cref="GemmIsa.Portable"/>) for the scalar reference. Callers must only ask for a path the machine has.
    /// </summary>
    internal static void MultiplyTransposed(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, GemmIsa? isa)
    {
        int rows = y.Length, cols = x.Length, padded = PaddedRows(rows);
        if ((long)cols * padded != qt.Length)
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: Q has {qt.Length} bytes, expected cols × padded rows = {cols} × {padded}.");
        if (scales.Length != rows)
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: {scales.Length} scales for {rows} rows.");
        if (!bias.IsEmpty && bias.Length != rows)
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: the bias has {bias.Length} elements, expected {rows} (or none).");
        ref sbyte rq = ref MemoryMarshal.GetReference(qt);
        ref float rx = ref MemoryMarshal.GetReference(x);
        Span<float> sums = stackalloc float[4 * Block];
        int r = 0;
        if (isa == GemmIsa.Avx512)
        {
            for (; r + 8 * Block <= rows; r += 8 * Block)
                Sum8Blocks512(ref rq, ref rx, y.Slice(r, 8 * Block), r, padded, cols);
            for (; r < rows; r += 4 * Block)   // the last 1–7 blocks (padding rows are zero), up to four at a time
            {
                int n = Math.Min(4 * Block, rows - r);
                Sum4Blocks512(ref rq, ref rx, sums, r, padded, cols, (n + Block - 1) / Block);
                sums[..n].CopyTo(y[r..]);
            }
        }
        else if (isa == GemmIsa.Avx2)
        {
            for (; r < rows; r += Block)
            {
                SumBlock256(ref rq, ref rx, sums, r, padded, cols);
                sums[..Math.Min(Block, rows - r)].CopyTo(y[r..]);
            }
        }
        for (; r < rows; r++)
        {
            float sum = 0;
            for (int k = 0; k < cols; k++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref rq, k * padded + r), Unsafe.Add(ref rx, k), sum);
            y[r] = sum;
        }
        // y_r = s_r · sum_r + b_r, one rounding each (a fused multiply-add: the same on every path).
        if (bias.IsEmpty) TensorPrimitives.Multiply(y, scales, y);
        else TensorPrimitives.FusedMultiplyAdd(y, scales, bias, y);
    }

    /// <summary>Σ_k q x_k for 128 rows (eight blocks): eight accumulators, eight sign-extending loads per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sum8Blocks512(ref sbyte qt, ref float x, Span<float> y, int r, int padded, int cols)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        ref sbyte q = ref Unsafe.Add(ref qt, r);
        for (int k = 0; k < cols; k++, q = ref Unsafe.Add(ref q, padded))
        {
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Widen512(ref q, 0), xk, a0);
            a1 = Vector512.FusedMultiplyAdd(Widen512(ref q, 16), xk, a1);
            a2 = Vector512.FusedMultiplyAdd(Widen512(ref q, 32), xk, a2);
            a3 = Vector512.FusedMultiplyAdd(Widen512(ref q, 48), xk, a3);
            a4 = Vector512.FusedMultiplyAdd(Widen512(ref q, 64), xk, a4);
            a5 = Vector512.FusedMultiplyAdd(Widen512(ref q, 80), xk, a5);
            a6 = Vector512.FusedMultiplyAdd(Widen512(ref q, 96), xk, a6);
            a7 = Vector512.FusedMultiplyAdd(Widen512(ref q, 112), xk, a7);
        }
        ref float ry = ref MemoryMarshal.GetReference(y);
        a0.StoreUnsafe(ref ry, 0); a1.StoreUnsafe(ref ry, 16); a2.StoreUnsafe(ref ry, 32); a3.StoreUnsafe(ref ry, 48);
        a4.StoreUnsafe(ref ry, 64); a5.StoreUnsafe(ref ry, 80); a6.StoreUnsafe(ref ry, 96); a7.StoreUnsafe(ref ry, 112);
    }

    /// <summary>Σ_k q x_k for <paramref name="blocks"/> ≤ 4 blocks of 16 rows (independent chains; rows past the matrix are zero padding).</summary>
    private static void Sum4Blocks512(ref sbyte qt, ref float x, Span<float> y, int r, int padded, int cols, int blocks)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        ref sbyte q = ref Unsafe.Add(ref qt, r);
        for (int k = 0; k < cols; k++, q = ref Unsafe.Add(ref q, padded))
        {
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Widen512(ref q, 0), xk, a0);
            if (blocks > 1) a1 = Vector512.FusedMultiplyAdd(Widen512(ref q, 16), xk, a1);
            if (blocks > 2) a2 = Vector512.FusedMultiplyAdd(Widen512(ref q, 32), xk, a2);
            if (blocks > 3) a3 = Vector512.FusedMultiplyAdd(Widen512(ref q, 48), xk, a3);
        }
        ref float ry = ref MemoryMarshal.GetReference(y);
        a0.StoreUnsafe(ref ry, 0); a1.StoreUnsafe(ref ry, 16); a2.StoreUnsafe(ref ry, 32); a3.StoreUnsafe(ref ry, 48);
    }

    /// <summary>Σ_k q x_k for one block of 16 rows as two 8-lane halves.</summary>
    private static void SumBlock256(ref sbyte qt, ref float x, Span<float> y, int r, int padded, int cols)
    {
        Vector256<float> lo = default, hi = default;
        for (int k = 0; k < cols; k++)
        {
            nint at = (nint)k * padded + r;
            var xk = Vector256.Create(Unsafe.Add(ref x, k));
            lo = Fma.MultiplyAdd(Widen256(ref qt, at), xk, lo);
            hi = Fma.MultiplyAdd(Widen256(ref qt, at + 8), xk, hi);
        }
        ref float ry = ref MemoryMarshal.GetReference(y);
        lo.StoreUnsafe(ref ry, 0);
        hi.StoreUnsafe(ref ry, 8);
    }

    /// <summary>16 bytes at q + offset → 16 floats (sign-extend, then convert; exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen512(ref sbyte q, nint offset) =>
        Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref Unsafe.Add(ref q, offset))));

    /// <summary>8 bytes at q + offset → 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen256(ref sbyte q, nint offset) =>
        Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(
            Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref q, offset)))).AsSByte()));
}
