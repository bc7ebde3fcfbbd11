using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// A product whose plan computes C as Cᵀ tiles (a C stored transposed to the kernel) over several k slices accumulates
/// each block in a dense copy of C and writes it back once (<c>GemmJob.DenseBlock</c>). The mirrored product
/// D = op(B)ᵀ·op(A)ᵀ, planned as plain tiles of a row-major D, adds the same products in the same order, so C must equal
/// Dᵀ bit for bit, for β = 0 over a C full of NaN (never read) and for β ≠ 0 over random values (gathered once).
/// </summary>
public sealed class GemmDenseBlockTests
{
    [Theory]
    [InlineData(512, 64, 6400, 1, 0.0f)]      // the weight gradient dÂᵀ·X of an RNN layer with 64 inputs
    [InlineData(301, 37, 700, 1, 0.5f)]       // odd sizes, three k slices, β ≠ 0
    [InlineData(301, 37, 700, 2, 0.0f)]
    [InlineData(97, 13, 1001, 2, -1.25f)]
    public void TransposedTilesOverSeveralSlices_EqualTheMirroredProduct(int m, int n, int k, int threads, float beta)
    {
        var blk = GemmBlocking.For<float>();
        var isa = Gemm.BestIsa!.Value;
        var plan = GemmPlan.Create(m, n, k, aRowMajor: false, bRowMajor: true, vectorTransposePack: true, Gemm.TileColumns<float>(isa), blk, 1);
        Assert.Equal(GemmPlan.Kind.TransposedTiles, plan.First.Kind); // the path under test
        var mirror = GemmPlan.Create(n, m, k, aRowMajor: false, bRowMajor: true, vectorTransposePack: true, Gemm.TileColumns<float>(isa), blk, 1);
        Assert.Equal(GemmPlan.Kind.Tiles, mirror.First.Kind);           // the reference: plain tiles of a row-major D
        Assert.True(k > blk.MaxKC);
        var rng = new SeededRng((ulong)(m * 31 + n));
        float[] a = Tensor<float>.Uniform([k * m], -1, 1, rng).Span.ToArray();   // stored (k, m): op(A) = Aᵀ (m, k)
        float[] b = Tensor<float>.Uniform([k * n], -1, 1, rng).Span.ToArray();   // (k, n)
        float[] c0 = beta == 0 ? Enumerable.Repeat(float.NaN, m * n).ToArray() : Tensor<float>.Uniform([m * n], -1, 1, rng).Span.ToArray();
        float[] c = (float[])c0.Clone();
        float[] d = new float[n * m];                                             // D = Cᵀ (n, m), row-major
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) d[j * m + i] = c0[i * n + j];
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        Gemm.Compute(true, false, m, n, k, 1.5f, a, m, b, n, beta, c, n, pool);
        Gemm.Compute(true, false, n, m, k, 1.5f, b, n, a, m, beta, d, m, pool);  // D = op(B)ᵀ·op(A)ᵀ = Bᵀ·A
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(c[i * n + j].Equals(d[j * m + i]), $"C[{i},{j}] = {c[i * n + j]:R}, Dᵀ = {d[j * m + i]:R} (m={m} n={n} k={k} β={beta})");
    }
}
