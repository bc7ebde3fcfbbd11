using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

public class MatVecInt8Tests
{
    /// <summary>
    /// The vector kernels this machine can run. The SDOT kernel runs on x86 too, with its dot product emulated (the ARM64
    /// path forced on x86: everything but that one instruction is the code ARM64 runs).
    /// </summary>
    internal static IEnumerable<Int8Kernel> VectorKernels()
    {
        if (AvxVnni.IsSupported && Avx512F.IsSupported) yield return Int8Kernel.Vnni64;
        if (AvxVnni.IsSupported) yield return Int8Kernel.Vnni32;
        if (Avx2.IsSupported) yield return Int8Kernel.MultiplyAddAdjacent;
        if (MatVecInt8Arm.IsSupported) yield return Int8Kernel.SignedDot128;
    }

    /// <summary>
    /// The matrix sizes of the float mat-vec tests, sizes around one int32 chunk (256 k) with rows not a multiple of 32,
    /// sizes past it and across 64-row pairs.
    /// </summary>
    public static TheoryData<int, int> Sizes()
    {
        var data = MatVecTests.Sizes();
        data.Add(40, 253);
        data.Add(31, 256);
        data.Add(45, 260);
        data.Add(65, 1031);
        data.Add(97, 512);
        data.Add(128, 256);
        return data;
    }

    private static (float[] W, float[] X, float[] B) Data(int rows, int cols, ulong seed)
    {
        var rng = new SeededRng(seed);
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        return (w, x, b);
    }

    private static float[] Multiply(float[] w, int rows, int cols, float[] x, float[]? b, Int8Kernel kernel)
    {
        var (q, s, sums) = MatVecInt8.PackTransposed(w, rows, cols);
        var y = new float[rows];
        MatVecInt8.MultiplyTransposed(q, s, sums, x, b, y, kernel);
        return y;
    }

    /// <summary>The sum of products is an exact integer on every kernel, so each equals the scalar loop bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void VectorKernels_BitEqualTheScalarKernel(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, (ulong)(rows * 991 + cols + 5));
        foreach (var bias in new[] { null, b })
        {
            float[] scalar = Multiply(w, rows, cols, x, bias, Int8Kernel.Scalar);
            foreach (var kernel in VectorKernels())
                TensorAssert.BitEqual<float>(scalar, Multiply(w, rows, cols, x, bias, kernel), $"({rows}×{cols}) bias={bias is not null} {kernel}");
        }
    }

    /// <summary>
    /// The definition, computed here without the kernels: S_r = Σ_k q[r, k]·x̂_k in 64-bit integers with x̂ = round(x / δ), δ = max|x| / 32767,
    /// and y_r = fma(fl32(S_r), fl32(s_r·δ), b_r). Every kernel returns exactly that.
    /// </summary>
    [Theory]
    [InlineData(7, 33)]
    [InlineData(65, 1031)]
    public void EveryKernel_EqualsTheDefinition(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, (ulong)(rows + cols));
        float max = x.Max(MathF.Abs), delta = max / 32767;
        var expected = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            float s = MatVecInt8.Scale(w.AsSpan(r * cols, cols), r);
            long sum = 0;
            for (int k = 0; k < cols; k++) sum += MatVecInt8.Quantize(w[r * cols + k], s) * (long)Math.Clamp(Math.Round(x[k] / delta, MidpointRounding.ToEven), -32767, 32767);
            expected[r] = MathF.FusedMultiplyAdd(sum, s * delta, b[r]);
        }
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
            TensorAssert.BitEqual<float>(expected, Multiply(w, rows, cols, x, b, kernel), kernel.ToString());
    }

    /// <summary>
    /// Against the float product on the dequantised matrix s_r·q: only the input's 16-bit rounding and float rounding
    /// separate them, |y_r − Σ_k s_r q x_k| ≤ s_r (δ/2) Σ_k |q| + (2k + 4)·ε·(Σ_k |s_r q x_k| + |b_r|).
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void MultiplyTransposed_CloseToTheProductOnTheDequantisedMatrix(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, (ulong)(rows * 977 + cols + 3));
        var (q, s, sums) = MatVecInt8.PackTransposed(w, rows, cols);
        MatVecInt8.Dequantize(w, rows, cols);
        var y = new float[rows];
        MatVecInt8.MultiplyTransposed(q, s, sums, x, b, y);
        double delta = cols == 0 ? 0 : x.Max(MathF.Abs) / 32767.0;
        for (int r = 0; r < rows; r++)
        {
            double exact = b[r], magnitude = Math.Abs(b[r]), quantisation = 0;
            for (int k = 0; k < cols; k++)
            {
                exact += (double)w[r * cols + k] * x[k];
                magnitude += Math.Abs((double)w[r * cols + k] * x[k]);
                quantisation += Math.Abs(w[r * cols + k]) * delta / 2;
            }
            double bound = quantisation + (2 * cols + 4) * 6e-8 * magnitude + 1e-30;
            Assert.True(Math.Abs(y[r] - exact) <= bound, $"({rows}×{cols}) row {r}: {y[r]} vs {exact}, bound {bound}");
        }
    }

    /// <summary>
    /// The largest sums: every q = ±127 and every x̂ = ±32767 stay exact on every kernel, y_r = fl32(S_r)·fl32(s_r·δ)
    /// with S_r = Σ ±127·32767 counted in 64 bits: up to 256 columns in one int32 chunk (256·H + L up to 2.13·10⁹, just
    /// below 2³¹), past it over several chunks (4.3·10⁹ at 1,031 columns). With every x negative, row 0 (q = −127
    /// throughout) meets SDOT's largest terms, (−127)·(−128) for x̂ ≫ 8 = −128.
    /// </summary>
    [Theory]
    [InlineData(253, false)]
    [InlineData(256, false)]
    [InlineData(256, true)]
    [InlineData(257, false)]
    [InlineData(260, false)]
    [InlineData(1031, false)]
    [InlineData(1031, true)]
    public void ExtremeValues_SumExactlyOnEveryKernel(int cols, bool allNegative)
    {
        int rows = 64;
        var w = new float[rows * cols];
        var x = new float[cols];
        for (int k = 0; k < cols; k++) x[k] = k % 3 == 0 || allNegative ? -2f : 2f;
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++) w[r * cols + k] = r % 2 == 0 ? x[k] : (k % 5 == 0 ? 1f : -1f);
        float delta = 2f / 32767;
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
        {
            float[] y = Multiply(w, rows, cols, x, null, kernel);
            for (int r = 0; r < rows; r++)
            {
                long sum = 0;
                for (int k = 0; k < cols; k++) sum += Math.Sign(w[r * cols + k]) * 127L * Math.Sign(x[k]) * 32767L;
                float s = MatVecInt8.Scale(w.AsSpan(r * cols, cols), r);
                Assert.Equal(MathF.FusedMultiplyAdd(sum, s * delta, 0f), y[r]);
            }
            Assert.Equal(cols * 4f, y[0], 1e-6f * cols * 4f);
        }
    }

    /// <summary>
    /// Inputs exactly halfway between two steps of x̂ (δ = 1: x_k = ±(n + 0.5)), in the vector part and the scalar tail of
    /// the quantisation: every kernel rounds half to even, as the definition.
    /// </summary>
    [Fact]
    public void HalfwayInputs_RoundToEvenOnEveryKernel()
    {
        int rows = 40, cols = 70;
        var (w, _, b) = Data(rows, cols, 23);
        var x = new float[cols];
        x[0] = 32767;   // δ = 1
        for (int k = 1; k < cols; k++) x[k] = (k % 2 == 0 ? 1 : -1) * (k + 0.5f);
        var expected = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            float s = MatVecInt8.Scale(w.AsSpan(r * cols, cols), r);
            long sum = 0;
            for (int k = 0; k < cols; k++) sum += MatVecInt8.Quantize(w[r * cols + k], s) * (long)Math.Round(x[k], MidpointRounding.ToEven);
            expected[r] = MathF.FusedMultiplyAdd(sum, s, b[r]);
        }
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
            TensorAssert.BitEqual<float>(expected, Multiply(w, rows, cols, x, b, kernel), kernel.ToString());
    }

    /// <summary>x = 0 gives y = b exactly; a NaN or ∞ in x reaches y as float arithmetic makes it, on every kernel.</summary>
    [Fact]
    public void ZeroAndNonFiniteInputs()
    {
        var (w, _, b) = Data(40, 9, 3);
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
        {
            Assert.Equal(b, Multiply(w, 40, 9, new float[9], b, kernel));
            var x = new float[9];
            x[4] = float.NaN;
            Assert.All(Multiply(w, 40, 9, x, b, kernel), v => Assert.True(float.IsNaN(v)));
            x[4] = float.PositiveInfinity;
            Assert.All(Multiply(w, 40, 9, x, b, kernel), v => Assert.False(float.IsFinite(v)));
        }
    }

    /// <summary>
    /// An x whose δ = max|x| / 32767 would be subnormal (max|x| below about 3.9·10⁻³⁴) keeps the error bound, relative to
    /// its own size, on every kernel: |y_r − Σ_k s_r q x_k| ≤ s_r (δ/2) Σ_k |q| + (2k + 4)·ε·Σ_k |s_r q x_k|, no bias.
    /// </summary>
    [Theory]
    [InlineData(1e-35f)]
    [InlineData(3e-37f)]
    [InlineData(1e-40f)]
    public void TinyInputs_KeepTheRelativeBoundOnEveryKernel(float largest)
    {
        const int rows = 40, cols = 9;
        var (w, x, _) = Data(rows, cols, 11);
        float scale = largest / x.Max(MathF.Abs);
        for (int k = 0; k < cols; k++) x[k] *= scale;
        var dequantised = (float[])w.Clone();
        MatVecInt8.Dequantize(dequantised, rows, cols);
        double delta = x.Max(MathF.Abs) / 32767.0;
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
        {
            float[] y = Multiply(w, rows, cols, x, null, kernel);
            for (int r = 0; r < rows; r++)
            {
                double exact = 0, magnitude = 0, quantisation = 0;
                for (int k = 0; k < cols; k++)
                {
                    exact += (double)dequantised[r * cols + k] * x[k];
                    magnitude += Math.Abs((double)dequantised[r * cols + k] * x[k]);
                    quantisation += Math.Abs(dequantised[r * cols + k]) * delta / 2;
                }
                double bound = quantisation + (2 * cols + 4) * 6e-8 * magnitude + float.Epsilon * (cols + 2);
                Assert.True(Math.Abs(y[r] - exact) <= bound, $"{kernel}, max|x| = {largest}, row {r}: {y[r]} vs {exact}, bound {bound}");
            }
        }
    }

    /// <summary>|W − s q| ≤ s / 2 per weight, the largest |W| of a row maps to ±127, a zero row has s = 0 and q = 0; padding is zero.</summary>
    [Fact]
    public void Quantisation_ErrorAtMostHalfAStep()
    {
        int rows = 7, cols = 33;
        var (w, _, _) = Data(rows, cols, 17);
        w.AsSpan(3 * cols, cols).Clear();
        var (q, s, sums) = MatVecInt8.PackTransposed(w, rows, cols);
        Assert.Equal(32 * 36, q.Length);
        Assert.Equal(0f, s[3]);
        var seen = new bool[q.Length];
        for (int r = 0; r < rows; r++)
        {
            int extreme = 0, sum = 0;
            for (int k = 0; k < cols; k++)
            {
                int at = MatVecInt8.PackedIndex(r, k, cols);
                Assert.False(seen[at]);
                seen[at] = true;
                sbyte qk = q[at];
                Assert.True(Math.Abs(w[r * cols + k] - (double)s[r] * qk) <= s[r] / 2 * (1 + 1e-6), $"row {r} col {k}");
                extreme = Math.Max(extreme, Math.Abs((int)qk));
                sum += qk;
            }
            Assert.Equal(r == 3 ? 0 : 127, extreme);
            Assert.Equal(sum, sums[r]);
        }
        for (int i = 0; i < q.Length; i++)
            if (!seen[i]) Assert.Equal(0, q[i]);   // padding rows and columns
    }

    /// <summary>
    /// A row whose largest |w| is float.MaxValue (or a rounding below it): s · 127 stays ≤ float.MaxValue, so the
    /// dequantised row is finite, the largest weight maps to ±127 and every weight is within max / 254 of its value, up to
    /// the rounding of s: at the halfway tie −max/2 = −63.5·(max/127), q = −64 and the error is 64·s − max/2, which s's
    /// relative rounding error 2⁻²⁴ raises by up to 128·2⁻²⁴ of max/254.
    /// </summary>
    [Fact]
    public void Quantisation_LargestWeightNearMaxValue_DequantisesFinite()
    {
        float[] largest = [float.MaxValue, -float.MaxValue, MathF.BitDecrement(float.MaxValue), float.MaxValue * 0.999999f, 3e38f];
        foreach (float max in largest)
        {
            float[] row = [max, max / 3, -max / 2, max / 127 * 64.5f, 1e30f, 0, -max];
            var (q, s, _) = MatVecInt8.PackTransposed(row, 1, row.Length);
            Assert.True(s[0] * 127f <= float.MaxValue, $"max {max}: s = {s[0]}");
            Assert.Equal(127, Math.Abs(q[MatVecInt8.PackedIndex(0, 0, row.Length)]));
            float[] w = (float[])row.Clone();
            MatVecInt8.Dequantize(w, 1, w.Length);
            for (int k = 0; k < w.Length; k++)
            {
                Assert.True(float.IsFinite(w[k]), $"max {max}, col {k}: {w[k]}");
                Assert.True(Math.Abs((double)w[k] - row[k]) <= Math.Abs((double)max) / 254 * (1 + 128 * Math.Pow(2, -24)), $"max {max}, col {k}: {w[k]} for {row[k]}");
            }
        }
    }

    /// <summary>
    /// Which kernel a path takes: VNNI where the CPU has it (64 rows with AVX-512's registers), else vpmaddwd, else scalar;
    /// the 128-bit path SDOT, emulated on x86, so every x86 machine that runs the forced path tests the ARM64 kernel.
    /// </summary>
    [Fact]
    public void KernelOfEachPath()
    {
        Assert.Equal(Int8Kernel.Scalar, KernelPath.Int8For(null));
        Assert.Equal(Dp.IsSupported || Ssse3.IsSupported ? Int8Kernel.SignedDot128 : Int8Kernel.Scalar, KernelPath.Int8For(GemmIsa.Vector128));
        if (Fma.IsSupported) Assert.Contains(Int8Kernel.SignedDot128, VectorKernels());
        Assert.Equal(Int8Kernel.Scalar, KernelPath.Int8For(GemmIsa.Portable));
        var avx2 = AvxVnni.IsSupported ? Int8Kernel.Vnni32 : Avx2.IsSupported ? Int8Kernel.MultiplyAddAdjacent : Int8Kernel.Scalar;
        Assert.Equal(avx2, KernelPath.Int8For(GemmIsa.Avx2));
        Assert.Equal(AvxVnni.IsSupported && Avx512F.IsSupported ? Int8Kernel.Vnni64 : avx2, KernelPath.Int8For(GemmIsa.Avx512));
    }

    /// <summary>
    /// The dot product the SDOT kernel runs on this machine (ARM64's instruction, else its x86 emulation): each int32
    /// lane of the addend plus the four products of its signed bytes, over every pair of bytes −128…127 in order, then
    /// on random bytes and addends (sums wrap modulo 2³² as the instruction's do).
    /// </summary>
    [Fact]
    public void SignedDotProduct_AddsTheFourProductsOfEachLane()
    {
        var rng = new SeededRng(29);
        var a = new sbyte[16];
        var b = new sbyte[16];
        var addend = new int[4];
        for (int i = 0; i < 2 * 256 * 256; i += 16)
        {
            for (int j = 0; j < 16; j++)
                (a[j], b[j]) = i < 256 * 256 ? ((sbyte)((i + j) >> 8), (sbyte)(i + j)) : ((sbyte)rng.NextUInt64(), (sbyte)rng.NextUInt64());
            for (int lane = 0; lane < 4; lane++) addend[lane] = (int)rng.NextUInt64();
            var got = MatVecInt8Arm.DotProduct(Vector128.Create(addend), Vector128.Create(a), Vector128.Create(b));
            for (int lane = 0; lane < 4; lane++)
            {
                int expected = addend[lane];
                for (int j = 4 * lane; j < 4 * lane + 4; j++) expected = unchecked(expected + a[j] * b[j]);
                Assert.Equal(expected, got[lane]);
            }
        }
    }

    /// <summary>
    /// The SDOT kernel's input: every x̂ in [−32767, 32767] (δ = 1, x_k = x̂) recomposes as 256·s_h + s_l + 128 from the
    /// signed bytes, through the 16-wide vector loop and the scalar tail (65,535 = 16·4,095 + 15 columns).
    /// </summary>
    [Fact]
    public void SignedDotInput_RecomposesEveryQuantisedValue()
    {
        var x = new float[2 * 32767 + 1];
        for (int k = 0; k < x.Length; k++) x[k] = 32767 - k;
        var input = new Int8Input(x.Length, Int8Kernel.SignedDot128);
        input.Prepare(x);
        Assert.Equal(1f, input.Delta);
        Assert.Equal(MatVecInt8.PaddedCols(x.Length), input.High.Length);
        for (int k = 0; k < x.Length; k++)
            Assert.Equal((int)x[k], 256 * (sbyte)input.High[k] + (sbyte)input.Low[k] + 128);
        Assert.Equal(0, input.High[x.Length]);
    }

    /// <summary>Preparing an <see cref="Int8Input"/> and multiplying with it allocate nothing, on every kernel, in one int32 chunk and past it.</summary>
    [Theory]
    [InlineData(40, 33)]
    [InlineData(65, 1031)]
    public void PreparedInput_AllocatesNothing(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, 41);
        var (q, s, sums) = MatVecInt8.PackTransposed(w, rows, cols);
        var y = new float[rows];
        foreach (var kernel in VectorKernels().Append(Int8Kernel.Scalar))
        {
            var input = new Int8Input(cols, kernel);
            Assert.Equal(0, AllocationMeter.AllocatedBy(() =>
            {
                input.Prepare(x);
                MatVecInt8.MultiplyTransposed(q, s, sums, input, b, y);
            }, repeats: 20));
            TensorAssert.BitEqual<float>(Multiply(w, rows, cols, x, b, Int8Kernel.Scalar), y, kernel.ToString());
        }
    }

    [Fact]
    public void BadInput_ClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([1f, float.NaN, 2f, 3f], 2, 2));
        Assert.Contains("row 0", e.Message);
        var (q, s, sums) = MatVecInt8.PackTransposed(new float[6], 3, 2);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s, sums, new float[5], default, new float[3]));
        Assert.Contains("Q has 128 bytes, expected padded rows × padded cols = 32 × 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s, sums, new float[2], new float[2], new float[3]));
        Assert.Contains("the bias has 2 elements, expected 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s.AsSpan(1), sums, new float[2], default, new float[3]));
        Assert.Contains("2 scales and 3 row sums for 3 rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s, sums.AsSpan(1), new float[2], default, new float[3]));
        Assert.Contains("3 scales and 2 row sums for 3 rows", e.Message);
    }

    [Fact]
    public void PackTransposed_PackedSizePastOneArrayOrNegativeSize_ThrowsNamingTheSizes()
    {
        // 1 row pads to 32: 32 × 200 000 000 bytes is past Array.MaxLength (and wraps in int). W is empty: the size is refused first.
        var e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([], 1, 200_000_000));
        Assert.Contains("the bytes packing W of 1 × 200000000 (rows padded to a multiple of 32, columns to 4) = 6400000000 values exceed one array", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([0f], -1, -1));
        Assert.Contains("negative size -1 × -1", e.Message);
    }
}
