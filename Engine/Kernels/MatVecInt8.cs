using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SeqLearn.Tensors;

namespace SeqLearn.Kernels;

/// <summary>
/// The transposed mat-vec of <see cref="MatVec.MultiplyTransposed"/> with W stored as int8 with one float scale per
/// row, a quarter of the bytes of float32, and the products summed exactly in integers:
/// <code>
/// s_r = max_k |W[r, k]| / 127       q[r, k] = clamp(round(W[r, k] / s_r), −127, 127)      (s_r = 0 ⇒ q = 0)
/// δ   = max_k |x_k| / 32767         x̂_k = clamp(round(x_k / δ), −32767, 32767)          (δ = 0 ⇒ x̂ = 0)
/// S_r = Σ_k q[r, k] · x̂_k                  an exact integer
/// y_r = fma(fl32(S_r), fl32(s_r · δ), b_r)   float32: S_r rounded once, one fused multiply-add
/// </code>
/// The weights are int8 (weight-only quantisation: biases, state and every other activation stay float32); the
/// input vector enters the product as 16-bit fixed point, |x_k − δ x̂_k| ≤ δ / 2 = max|x| / 65534, finer than the
/// bfloat16 rounding of <see cref="MatVecBf16"/> (for max|x| above about 10⁻³³; below, δ is subnormal and coarser, and
/// it is 0, so y = b, below about 2·10⁻⁴¹). So |y_r − (W x)_r| ≤ (s_r / 2)·Σ_k |x_k| + s_r·(δ / 2)·Σ_k |q[r, k]|
/// (+ the float32 roundings of S_r, of s_r·δ and of the fused multiply-add). Because S_r is exact, every path
/// (AVX-VNNI, AVX2, ARM64 SDOT, scalar) returns bit-identical results whatever order it sums in, and a row's value does
/// not depend on the rows computed with it.
/// <para>
/// Layout (<see cref="PackTransposed"/>): rows padded with zeros to a multiple of 32, columns to a multiple of 4;
/// each block of 32 rows is contiguous, k-group by k-group: byte ((r / 32) · K4 + 4 · (k / 4)) · 32 + 4 · (r mod 32)
/// + k mod 4 with K4 = cols rounded up to 4. One 32-byte load holds 8 rows × 4 consecutive k, the operand of
/// <c>vpdpbusd</c> (<see cref="MatVecInt8Kernels"/>); one 16-byte load, 4 rows × 4 k, that of ARM64's <c>SDOT</c>
/// (<see cref="MatVecInt8Arm"/>).
/// </para>
/// </summary>
internal static class MatVecInt8
{
    /// <summary>Rows per packed block.</summary>
    public const int Block = 32;

    /// <summary>Consecutive k of one row in one 32-bit lane.</summary>
    public const int Group = 4;

    /// <summary>The largest |x̂|: 16-bit fixed point.</summary>
    public const int InputRange = 32767;

    /// <summary><paramref name="rows"/> rounded up to a multiple of 32: the rows <see cref="PackTransposed"/> stores.</summary>
    public static int PaddedRows(int rows) => (rows + Block - 1) / Block * Block;

    /// <summary><paramref name="cols"/> rounded up to a multiple of 4: the columns <see cref="PackTransposed"/> stores.</summary>
    public static int PaddedCols(int cols) => (cols + Group - 1) / Group * Group;

    /// <summary>Bytes of a packed (rows, cols) matrix: PaddedRows · PaddedCols.</summary>
    public static int PackedLength(int rows, int cols) => PaddedRows(rows) * PaddedCols(cols);

    /// <summary>Where <see cref="PackTransposed"/> stores q[r, k] of a matrix with <paramref name="cols"/> columns.</summary>
    public static int PackedIndex(int r, int k, int cols) =>
        ((r / Block * PaddedCols(cols) + k / Group * Group) * Block) + Group * (r % Block) + k % Group;

    /// <summary>
    /// Quantises each row of W (rows, cols), row-major: q (<see cref="PackedLength"/> bytes, laid out as described
    /// above), s (rows) and Σ_k q[r, k] (rows). Throws if a weight is not finite (its row has no scale), a size is
    /// negative or q would not fit one array.
    /// </summary>
    public static (sbyte[] Packed, float[] Scales, int[] RowSums) PackTransposed(ReadOnlySpan<float> w, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"MatVecInt8.PackTransposed: negative size {rows} × {cols}.");
        ShapeUtil.ArrayLength((rows + (long)Block - 1) / Block * Block * ((cols + (long)Group - 1) / Group * Group), "MatVecInt8.PackTransposed",
            $"the bytes packing W of {rows} × {cols} (rows padded to a multiple of {Block}, columns to {Group})", "use a smaller weight matrix.");
        if ((long)rows * cols != w.Length) throw new ArgumentException($"MatVecInt8.PackTransposed: W has {w.Length} elements, expected {rows} × {cols}.");
        var packed = new sbyte[PackedLength(rows, cols)];
        var scales = new float[rows];
        var sums = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = w.Slice(r * cols, cols);
            float s = scales[r] = Scale(row, r);
            for (int k = 0; k < cols; k++)
            {
                sbyte q = Quantize(row[k], s);
                packed[PackedIndex(r, k, cols)] = q;
                sums[r] += q;
            }
        }
        return (packed, scales, sums);
    }

    /// <summary>
    /// s = max |w_k| / 127 of one row (0 for a zero row), one step lower when s · 127 would round past
    /// <see cref="float.MaxValue"/> (a row whose largest |w| is within a rounding of it), so every s · q is finite;
    /// <paramref name="r"/> names the row in the error for a non-finite weight.
    /// </summary>
    public static float Scale(ReadOnlySpan<float> row, int r)
    {
        float max = 0;
        foreach (float v in row)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"MatVecInt8: row {r} holds {v}; only finite weights can be quantised.");
            max = MathF.Max(max, MathF.Abs(v));
        }
        float s = max / 127;
        return float.IsFinite(s * 127) ? s : MathF.BitDecrement(s);
    }

    /// <summary>q = clamp(round(w / s), −127, 127), rounding half to even; 0 when s = 0.</summary>
    public static sbyte Quantize(float w, float s) => s == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(w / s), -127f, 127f);

    /// <summary>Replaces every row of W (rows, cols) by its quantised value s_r · q[r, k] (the matrix the int8 kernel multiplies by, up to the input's 16-bit rounding).</summary>
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

    /// <summary>x̂ = clamp(round(x / δ), −32767, 32767), rounding half to even (0 when δ = 0): one element, as every path computes it.</summary>
    public static int QuantizeInput(float x, float delta) =>
        delta == 0 ? 0 : (int)Math.Clamp(MathF.Round(x / delta), -InputRange, InputRange);

    /// <summary>
    /// y (rows) ← s ⊙ (Q x) (+ bias) with Q, s and Σq packed by <see cref="PackTransposed"/>, on the fastest kernel of
    /// this machine (<see cref="KernelPath.DefaultInt8"/>). Quantises x for this call; a caller that multiplies one x
    /// by several matrices prepares an <see cref="Int8Input"/> once instead.
    /// </summary>
    public static void MultiplyTransposed(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<int> rowSums,
        ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y) =>
        MultiplyTransposed(qt, scales, rowSums, x, bias, y, KernelPath.DefaultInt8);

    /// <summary>As above on a chosen kernel; callers must only ask for one the machine has (<see cref="Int8Kernel"/>).</summary>
    internal static void MultiplyTransposed(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<int> rowSums,
        ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, Int8Kernel kernel)
    {
        var input = new Int8Input(x.Length, kernel);
        input.Prepare(x);
        MultiplyTransposed(qt, scales, rowSums, input, bias, y);
    }

    /// <summary>y (rows) ← s ⊙ (Q x) (+ bias) for an x already quantised into <paramref name="x"/>, on its kernel.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<int> rowSums,
        Int8Input x, ReadOnlySpan<float> bias, Span<float> y)
    {
        int rows = y.Length, cols = x.Length;
        if (qt.Length != (rows + (long)Block - 1) / Block * Block * ((cols + (long)Group - 1) / Group * Group))
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: Q has {qt.Length} bytes, expected padded rows × padded cols = {PaddedRows(rows)} × {PaddedCols(cols)}.");
        if (scales.Length != rows || rowSums.Length != rows)
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: {scales.Length} scales and {rowSums.Length} row sums for {rows} rows.");
        if (!bias.IsEmpty && bias.Length != rows)
            throw new ArgumentException($"MatVecInt8.MultiplyTransposed: the bias has {bias.Length} elements, expected {rows} (or none).");
        if (rows == 0) return;
        if (x.InFloat)
        {
            FloatInput(qt, scales, x.Values, bias, y);
            return;
        }
        int k4 = PaddedCols(cols);
        float delta = x.Delta;
        bool oneChunk = k4 / Group <= MatVecInt8Kernels.ChunkGroups;   // S fits int32: the kernels return it exactly in 32 bits
        Span<int> exact = stackalloc int[2 * Block];
        Span<double> sums = stackalloc double[2 * Block];
        switch (x.Kernel)
        {
            case Int8Kernel.Vnni32 or Int8Kernel.Vnni64:
                {
                    int r = 0;
                    if (x.Kernel == Int8Kernel.Vnni64)
                        for (; r + 2 * Block <= rows; r += 2 * Block)
                        {
                            MatVecInt8Kernels.Vnni64(qt.Slice(r * k4, 2 * Block * k4), x.High, x.Low, exact, sums);
                            Finish(oneChunk, exact, sums, rowSums.Slice(r, 2 * Block), offset: VnniOffset, scales.Slice(r, 2 * Block), delta, bias.IsEmpty ? bias : bias.Slice(r, 2 * Block), y.Slice(r, 2 * Block));
                        }
                    for (; r < rows; r += Block)
                    {
                        int n = Math.Min(Block, rows - r);
                        MatVecInt8Kernels.Vnni32(qt.Slice(r * k4, Block * k4), x.High, x.Low, exact, sums);
                        Finish(oneChunk, exact[..n], sums[..n], rowSums.Slice(r, n), offset: VnniOffset, scales.Slice(r, n), delta, bias.IsEmpty ? bias : bias.Slice(r, n), y.Slice(r, n));
                    }
                    break;
                }
            case Int8Kernel.SignedDot128:
                for (int r = 0; r < rows; r += Block)
                {
                    int n = Math.Min(Block, rows - r);
                    MatVecInt8Arm.SignedDot32(qt.Slice(r * k4, Block * k4), x.High, x.Low, exact, sums);
                    Finish(oneChunk, exact[..n], sums[..n], rowSums.Slice(r, n), offset: MatVecInt8Arm.Offset, scales.Slice(r, n), delta, bias.IsEmpty ? bias : bias.Slice(r, n), y.Slice(r, n));
                }
                break;
            case Int8Kernel.MultiplyAddAdjacent:
                for (int r = 0; r < rows; r += Block)
                {
                    int n = Math.Min(Block, rows - r);
                    MatVecInt8Kernels.MultiplyAddAdjacent32(qt.Slice(r * k4, Block * k4), x.Quantised, sums);
                    Finish(false, exact, sums[..n], rowSums.Slice(r, n), offset: 0, scales.Slice(r, n), delta, bias.IsEmpty ? bias : bias.Slice(r, n), y.Slice(r, n));
                }
                break;
            default:
                {
                    ReadOnlySpan<short> xq = x.Quantised;
                    for (int r = 0; r < rows; r++)
                    {
                        int first = r / Block * Block * k4 + Group * (r % Block);   // PackedIndex(r, 0, cols)
                        long s = 0;
                        for (int k = 0; k < cols; k++) s += qt[first + k / Group * (Block * Group) + k % Group] * (long)xq[k];
                        sums[0] = s;
                        Finish(false, exact, sums[..1], rowSums.Slice(r, 1), offset: 0, scales.Slice(r, 1), delta, bias.IsEmpty ? bias : bias.Slice(r, 1), y.Slice(r, 1));
                    }
                    break;
                }
        }
    }

    /// <summary>The multiple of Σq that turns the AVX-VNNI kernels' Σ q·(x̂ + 32768) into S_r.</summary>
    private const int VnniOffset = -32768;

    /// <summary>
    /// y_r = fma(fl32(S_r), fl32(s_r·δ), b_r) from the sums a kernel left: with <paramref name="oneChunk"/>, V_r in
    /// <paramref name="exact"/> (int32), else in <paramref name="sums"/> (float64, exact), with S_r = V_r + offset·Σq_r:
    /// offset −32768 for AVX-VNNI (V_r = Σ q·(x̂ + 32768), the unsigned input of vpdpbusd), +128 for SDOT
    /// (<see cref="MatVecInt8Arm"/>), 0 for the kernels that sum q·x̂ itself. In int32 the correction is exact modulo 2³²,
    /// and S_r itself fits (|S_r| ≤ 127 · 32767 · 256 &lt; 2³¹). Eight rows at a time (where 256-bit vectors are
    /// accelerated) and one at a time perform the same operations, so every kernel rounds alike.
    /// </summary>
    private static void Finish(bool oneChunk, ReadOnlySpan<int> exact, ReadOnlySpan<double> sums, ReadOnlySpan<int> rowSums, int offset,
        ReadOnlySpan<float> scales, float delta, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = y.Length, r = 0;
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rs = ref MemoryMarshal.GetReference(scales);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref int rq = ref MemoryMarshal.GetReference(rowSums);
        if (oneChunk)
        {
            ref int rv = ref MemoryMarshal.GetReference(exact);
            var deltaV = Vector256.Create(delta);
            for (; Vector256.IsHardwareAccelerated && r + 8 <= n; r += 8)
            {
                var v = Vector256.LoadUnsafe(ref rv, (nuint)r);
                if (offset != 0) v += Vector256.LoadUnsafe(ref rq, (nuint)r) * offset;
                var b = bias.IsEmpty ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref rb, (nuint)r);
                Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(v), Vector256.LoadUnsafe(ref rs, (nuint)r) * deltaV, b).StoreUnsafe(ref ry, (nuint)r);
            }
            for (; r < n; r++)
            {
                int v = exact[r] + rowSums[r] * offset;
                y[r] = MathF.FusedMultiplyAdd(v, scales[r] * delta, bias.IsEmpty ? 0f : bias[r]);
            }
            return;
        }
        for (; r < n; r++)
        {
            float v = (float)(sums[r] + rowSums[r] * (double)offset);   // exact in float64, then rounded once
            y[r] = MathF.FusedMultiplyAdd(v, scales[r] * delta, bias.IsEmpty ? 0f : bias[r]);
        }
    }

    /// <summary>
    /// x holds NaN or ±∞, or its δ would be subnormal (<see cref="Int8Input.InFloat"/>): y_r = s_r · Σ_k q[r, k] · x_k + b_r
    /// in float, so non-finite values reach y as float arithmetic makes them and a tiny x keeps its relative precision.
    /// </summary>
    private static void FloatInput(ReadOnlySpan<sbyte> qt, ReadOnlySpan<float> scales, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        int cols = x.Length;
        for (int r = 0; r < y.Length; r++)
        {
            float sum = 0;
            for (int k = 0; k < cols; k++) sum += qt[PackedIndex(r, k, cols)] * x[k];
            y[r] = scales[r] * sum + (bias.IsEmpty ? 0f : bias[r]);
        }
    }
}

/// <summary>The int8 mat-vec's kernels (<see cref="MatVecInt8"/>); <see cref="KernelPath.DefaultInt8"/> picks one.</summary>
internal enum Int8Kernel
{
    /// <summary>One row at a time in 64-bit integers: the reference, and the path of machines without a vector kernel (ARM64 without SDOT).</summary>
    Scalar,

    /// <summary>AVX2 without VNNI: weights sign-extended to 16 bits, <c>vpmaddwd</c> with 16-bit x̂.</summary>
    MultiplyAddAdjacent,

    /// <summary>AVX-VNNI, one block of 32 rows at a time: 8 accumulators (16 vector registers suffice).</summary>
    Vnni32,

    /// <summary>AVX-VNNI, two blocks at a time: 16 accumulators, for CPUs with AVX-512 (32 vector registers).</summary>
    Vnni64,

    /// <summary>
    /// 128-bit vectors, ARM64's <c>SDOT</c> (signed bytes × signed bytes), one block of 32 rows at a time: 16 accumulators
    /// (<see cref="MatVecInt8Arm"/>). On x86 (the 128-bit path forced, or the widest the runtime accelerates) the dot
    /// product is emulated.
    /// </summary>
    SignedDot128,
}
