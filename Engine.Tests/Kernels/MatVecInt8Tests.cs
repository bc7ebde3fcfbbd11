using System.Runtime.Intrinsics.X86;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

public class MatVecInt8Tests
{
    /// <summary>The vector paths this machine can run, and the scalar reference (null).</summary>
    private static IEnumerable<GemmIsa?> Paths()
    {
        if (Avx512F.IsSupported) yield return GemmIsa.Avx512;
        if (Avx2.IsSupported && Fma.IsSupported) yield return GemmIsa.Avx2;
        yield return null;
    }

    private static (float[] W, float[] X, float[] B) Data(int rows, int cols, ulong seed)
    {
        var rng = new SeededRng(seed);
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        return (w, x, b);
    }

    /// <summary>Every path does the same float operations in the same order: bit-identical to the scalar loop.</summary>
    [Theory]
    [MemberData(nameof(MatVecTests.Sizes), MemberType = typeof(MatVecTests))]
    public void VectorPaths_BitEqualTheScalarPath(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, (ulong)(rows * 991 + cols + 5));
        var (q, s) = MatVecInt8.PackTransposed(w, rows, cols);
        foreach (bool withBias in new[] { false, true })
        {
            var scalar = new float[rows];
            MatVecInt8.MultiplyTransposed(q, s, x, withBias ? b : default, scalar, isa: null);
            foreach (var isa in Paths())
            {
                var fast = new float[rows];
                MatVecInt8.MultiplyTransposed(q, s, x, withBias ? b : default, fast, isa);
                TensorAssert.BitEqual<float>(scalar, fast, $"({rows}×{cols}) bias={withBias} {isa?.ToString() ?? "scalar"}");
            }
        }
    }

    /// <summary>
    /// Against the in-order float reference on the dequantised matrix s_r·q: the kernel sums q·x and scales once, so
    /// each row may differ by the dot-product bound (2k + 4)·ε·Σ|s q x| (+ the bias).
    /// </summary>
    [Theory]
    [MemberData(nameof(MatVecTests.Sizes), MemberType = typeof(MatVecTests))]
    public void MultiplyTransposed_EqualsReferenceOnTheDequantisedMatrix(int rows, int cols)
    {
        var (w, x, b) = Data(rows, cols, (ulong)(rows * 977 + cols + 3));
        var (q, s) = MatVecInt8.PackTransposed(w, rows, cols);
        MatVecInt8.Dequantize(w, rows, cols);
        var fast = new float[rows];
        MatVecInt8.MultiplyTransposed(q, s, x, b, fast);
        MatVecBf16Tests.AssertWithinDotBound(w, x, b, fast);
    }

    /// <summary>|W − s q| ≤ s / 2 per weight, the largest |W| of a row maps to ±127, a zero row has s = 0 and q = 0.</summary>
    [Fact]
    public void Quantisation_ErrorAtMostHalfAStep()
    {
        int rows = 7, cols = 33;
        var (w, _, _) = Data(rows, cols, 17);
        w.AsSpan(3 * cols, cols).Clear();
        var (q, s) = MatVecInt8.PackTransposed(w, rows, cols);
        int padded = MatVecInt8.PaddedRows(rows);
        Assert.Equal(16, padded);
        Assert.Equal(0f, s[3]);
        for (int r = 0; r < rows; r++)
        {
            int extreme = 0;
            for (int k = 0; k < cols; k++)
            {
                sbyte qk = q[k * padded + r];
                Assert.True(Math.Abs(w[r * cols + k] - (double)s[r] * qk) <= s[r] / 2 * (1 + 1e-6), $"row {r} col {k}");
                extreme = Math.Max(extreme, Math.Abs((int)qk));
            }
            Assert.Equal(r == 3 ? 0 : 127, extreme);
        }
        for (int k = 0; k < cols; k++)
            for (int r = rows; r < padded; r++) Assert.Equal(0, q[k * padded + r]);   // padding rows are zero
    }

    [Fact]
    public void BadInput_ClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([1f, float.NaN, 2f, 3f], 2, 2));
        Assert.Contains("row 0", e.Message);
        var (q, s) = MatVecInt8.PackTransposed(new float[6], 3, 2);
        Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s, new float[3], default, new float[3]));
        Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s, new float[2], new float[2], new float[3]));
        Assert.Throws<ArgumentException>(() => MatVecInt8.MultiplyTransposed(q, s.AsSpan(1), new float[2], default, new float[3]));
    }

    [Fact]
    public void PackTransposed_PackedSizePastOneArrayOrNegativeSize_ThrowsNamingTheSizes()
    {
        // 1 row pads to 16: 16 × 200 000 000 bytes is past Array.MaxLength (and wraps in int). W is empty: the size is refused first.
        var e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([], 1, 200_000_000));
        Assert.Contains("the bytes packing W of 1 × 200000000 (rows padded to a multiple of 16) = 3200000000 values exceed one array", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecInt8.PackTransposed([0f], -1, -1));
        Assert.Contains("negative size -1 × -1", e.Message);
    }
}
