using SeqLearn.Kernels;
using SeqLearn.Tensors;
using Xunit.Sdk;

namespace SeqLearn.Tests.Kernels;

public class MatVecTests
{
    public static TheoryData<int, int> Sizes()
    {
        int[] sizes = [0, 1, 7, 17, 33, 257];
        var data = new TheoryData<int, int>();
        foreach (int rows in sizes)
            foreach (int cols in sizes)
                data.Add(rows, cols);
        return data;
    }

    /// <summary>
    /// Different summation order (vector lanes, FMA) than the in-order reference: each row may differ by the
    /// dot-product bound (2k + 2)·ε·Σ|w||x| (+ one rounding of the bias), docs/testing.md.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Multiply_EqualsReference_WithinTheDotProductBound(int rows, int cols)
    {
        var rng = new SeededRng((ulong)(rows * 1000 + cols + 1));
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        foreach (var (withBias, transposed) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var fast = new float[rows];
            var reference = new float[rows];
            var wt = new float[w.Length];
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < cols; k++) wt[k * rows + r] = w[r * cols + k];
            if (transposed) MatVec.MultiplyTransposed(wt, x, withBias ? b : default, fast);
            else MatVec.Multiply(w, x, withBias ? b : default, fast);
            MatVec.MultiplyReference(w, x, withBias ? b : default, reference);
            for (int r = 0; r < rows; r++)
            {
                double abs = 0;
                for (int k = 0; k < cols; k++) abs += Math.Abs((double)w[r * cols + k] * x[k]);
                double bound = (2 * cols + 4) * Math.Pow(2, -23) * (abs + (withBias ? Math.Abs(b[r]) : 0));
                if (Math.Abs(fast[r] - reference[r]) > bound)
                    throw new XunitException($"({rows}×{cols}) bias={withBias} transposed={transposed} row {r}: fast {fast[r]} reference {reference[r]} bound {bound:G3}.");
            }
        }
    }

    /// <summary>
    /// Below 512 bits (the ARM64 and scalar paths, or SEQLEARN_ISA forcing them here) the row-major product is the
    /// reference loop bit for bit, so a forced run reproduces such a machine's stepper input table.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Multiply_NarrowerThan512Bits_IsTheReferenceBitForBit(int rows, int cols)
    {
        var rng = new SeededRng((ulong)(rows * 1000 + cols + 7));
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        var reference = new float[rows];
        MatVec.MultiplyReference(w, x, b, reference);
        foreach (var width in new[] { GateWidth.Vector256, GateWidth.Vector128, GateWidth.Scalar })
        {
            var y = new float[rows];
            MatVec.Multiply(w, x, b, y, width);
            Assert.Equal(reference.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Multiply_RowValue_DoesNotDependOnItsNeighbours()
    {
        // Rows computed four at a time and one at a time must agree bit for bit (the stepper splits rows by chunk).
        var rng = new SeededRng(9);
        int rows = 9, cols = 257;
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        var all = new float[rows];
        MatVec.Multiply(w, x, default, all);
        for (int r = 0; r < rows; r++)
        {
            var one = new float[1];
            MatVec.Multiply(w.AsSpan(r * cols, cols), x, default, one);
            Assert.Equal(BitConverter.SingleToInt32Bits(all[r]), BitConverter.SingleToInt32Bits(one[0]));
        }
    }

    [Fact]
    public void Multiply_WrongSizes_NameTheKernel()
    {
        var e = Assert.Throws<ArgumentException>(() => MatVec.Multiply(new float[5], new float[2], default, new float[3]));
        Assert.Contains("MatVec.Multiply", e.Message);
        Assert.Throws<ArgumentException>(() => MatVec.MultiplyTransposed(new float[5], new float[2], default, new float[3]));
        Assert.Throws<ArgumentException>(() => MatVec.Multiply(new float[6], new float[2], new float[2], new float[3]));
    }
}

public class MatVecWidthTests
{
    /// <summary>Every output is one FMA chain in order of k at every width: 512, 256 (AVX2) and 128 bits (ARM64 NEON, forced here) equal the scalar loop bit for bit.</summary>
    [Theory]
    [MemberData(nameof(MatVecTests.Sizes), MemberType = typeof(MatVecTests))]
    public void MultiplyTransposed_EveryWidth_BitEqualsTheScalarLoop(int rows, int cols)
    {
        var rng = new SeededRng((ulong)(rows * 389 + cols + 11));
        float[] wt = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        var scalar = new float[rows];
        MatVec.MultiplyTransposed(wt, x, b, scalar, GateWidth.Scalar);
        foreach (var width in new[] { GateWidth.Auto, GateWidth.Vector256, GateWidth.Vector128 })
        {
            var y = new float[rows];
            MatVec.MultiplyTransposed(wt, x, b, y, width);
            Assert.True(scalar.AsSpan().SequenceEqual(y), $"{width} ({rows}×{cols})");
        }
    }
}

public class MatVecBf16Tests
{
    [Theory]
    [MemberData(nameof(MatVecTests.Sizes), MemberType = typeof(MatVecTests))]
    public void MultiplyTransposed_EqualsReferenceOnTheRoundedMatrix(int rows, int cols)
    {
        var rng = new SeededRng((ulong)(rows * 977 + cols + 3));
        float[] w = Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray();
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        uint[] packed = MatVecBf16.PackTransposed(w, rows, cols);
        MatVecBf16.Round(w);                                   // the values the packed matrix holds, exactly
        var fast = new float[rows];
        MatVecBf16.MultiplyTransposed(packed, x, b, fast);
        AssertWithinDotBound(w, x, b, fast);
    }

    /// <summary>512, 256 (AVX2) and 128 bits (ARM64 NEON, forced here) equal the scalar loop bit for bit: one FMA chain per output in order of k.</summary>
    [Theory]
    [MemberData(nameof(MatVecTests.Sizes), MemberType = typeof(MatVecTests))]
    public void MultiplyTransposed_EveryWidth_BitEqualsTheScalarLoop(int rows, int cols)
    {
        var rng = new SeededRng((ulong)(rows * 613 + cols + 5));
        uint[] packed = MatVecBf16.PackTransposed(Tensor<float>.Normal([rows * cols], 0, 1, rng).ToArray(), rows, cols);
        float[] x = Tensor<float>.Normal([cols], 0, 1, rng).ToArray();
        float[] b = Tensor<float>.Normal([rows], 0, 1, rng).ToArray();
        var scalar = new float[rows];
        MatVecBf16.MultiplyTransposed(packed, x, b, scalar, GateWidth.Scalar);
        foreach (var width in new[] { GateWidth.Auto, GateWidth.Vector256, GateWidth.Vector128 })
        {
            var y = new float[rows];
            MatVecBf16.MultiplyTransposed(packed, x, b, y, width);
            Assert.True(scalar.AsSpan().SequenceEqual(y), $"{width} ({rows}×{cols})");
        }
    }

    /// <summary>
    /// <paramref name="fast"/> against <see cref="MatVec.MultiplyReference"/> on the stored matrix <paramref name="w"/>:
    /// each row within the dot-product bound (2k + 4)·ε·(Σ|w x| + |b|).
    /// </summary>
    internal static void AssertWithinDotBound(float[] w, float[] x, float[] b, float[] fast)
    {
        int rows = fast.Length, cols = x.Length;
        var reference = new float[rows];
        MatVec.MultiplyReference(w, x, b, reference);
        for (int r = 0; r < rows; r++)
        {
            double abs = Math.Abs(b[r]);
            for (int k = 0; k < cols; k++) abs += Math.Abs((double)w[r * cols + k] * x[k]);
            double bound = (2 * cols + 4) * Math.Pow(2, -23) * abs;
            Assert.True(Math.Abs(fast[r] - reference[r]) <= bound, $"({rows}×{cols}) row {r}: {fast[r]} vs {reference[r]} (bound {bound:G3})");
        }
    }

    [Fact]
    public void PackTransposed_PackedSizePastOneArrayOrNegativeSize_ThrowsNamingTheSizes()
    {
        // 1 row pads to 32, 16 words per column: 16 × 200 000 000 words is past Array.MaxLength (and wraps in int). W is empty: the size is refused first.
        var e = Assert.Throws<ArgumentException>(() => MatVecBf16.PackTransposed([], 1, 200_000_000));
        Assert.Contains("the words packing W of 1 × 200000000 (rows padded to a multiple of 32, two per word) = 3200000000 values exceed one array", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatVecBf16.PackTransposed([0f], -1, -1));
        Assert.Contains("negative size -1 × -1", e.Message);
    }

    [Fact]
    public void FromSingle_RoundsToNearestEven()
    {
        Assert.Equal(0x3F80, MatVecBf16.FromSingle(1f));
        Assert.Equal(0x3F80, MatVecBf16.FromSingle(BitConverter.UInt32BitsToSingle(0x3F808000)));   // tie → even (down)
        Assert.Equal(0x3F82, MatVecBf16.FromSingle(BitConverter.UInt32BitsToSingle(0x3F818000)));   // tie → even (up)
        Assert.Equal(0x3F81, MatVecBf16.FromSingle(BitConverter.UInt32BitsToSingle(0x3F808001)));   // above the tie
        Assert.True(float.IsNaN(MatVecBf16.ToSingle(MatVecBf16.FromSingle(float.NaN))));
        Assert.Equal(float.NegativeInfinity, MatVecBf16.ToSingle(MatVecBf16.FromSingle(float.NegativeInfinity)));
    }
}
