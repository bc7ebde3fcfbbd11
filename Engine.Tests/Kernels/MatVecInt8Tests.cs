using System.Runtime.Intrinsics.X86;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

public class MatVecInt8Tests
{
    /// <summary>The vector kernels this machine can run.</summary>
    private static IEnumerable<Int8Kernel> VectorKernels()
    {
        if (AvxVnni.IsSupported && Avx512F.IsSupported) yield return Int8Kernel.Vnni64;
        if (AvxVnni.IsSupported) yield return Int8Kernel.Vnni32;
        if (Avx2.IsSupported) yield return Int8Kernel.MultiplyAddAdjacent;
    }

    /// <summary>The matrix sizes of the float mat-vec tests and sizes past one int32 chunk (256 k) and across 64-row pairs.</summary>
    public static TheoryData<int, int> Sizes()
    {
        var data = MatVecTests.Sizes();
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
    /// below 2³¹), past it over several chunks (4.3·10⁹ at 1,031 columns).
    /// </summary>
    [Theory]
    [InlineData(253)]
    [InlineData(256)]
    [InlineData(260)]
    [InlineData(1031)]
    public void ExtremeValues_SumExactlyOnEveryKernel(int cols)
    {
        int rows = 64;
        var w = new float[rows * cols];
        var x = new float[cols];
        for (int k = 0; k < cols; k++) x[k] = k % 3 == 0 ? -2f : 2f;
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

    /// <summary>Which kernel a path takes: VNNI where the CPU has it (64 rows with AVX-512's registers), else vpmaddwd, else scalar.</summary>
    [Fact]
    public void KernelOfEachPath()
    {
        Assert.Equal(Int8Kernel.Scalar, KernelPath.Int8For(null));
        Assert.Equal(Int8Kernel.Scalar, KernelPath.Int8For(GemmIsa.Vector128));
        Assert.Equal(Int8Kernel.Scalar, KernelPath.Int8For(GemmIsa.Portable));
        var avx2 = AvxVnni.IsSupported ? Int8Kernel.Vnni32 : Avx2.IsSupported ? Int8Kernel.MultiplyAddAdjacent : Int8Kernel.Scalar;
        Assert.Equal(avx2, KernelPath.Int8For(GemmIsa.Avx2));
        Assert.Equal(AvxVnni.IsSupported && Avx512F.IsSupported ? Int8Kernel.Vnni64 : avx2, KernelPath.Int8For(GemmIsa.Avx512));
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
