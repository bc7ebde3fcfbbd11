using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// The packing routines against their definitions, element by element and exactly (a copy changes no value):
/// the vector fast paths (eight-step transposes of A slivers, inline vector copies of B rows) on odd depths and
/// row counts, and a guard region after the packed block that must stay untouched.
/// </summary>
public sealed unsafe class GemmPackingTests
{
    private static readonly int[] Depths = [0, 1, 7, 8, 9, 16, 17, 33, 257];

    [Fact]
    public void PackA_RowMajor_EqualsDefinitionAndStaysInsideTheBlock()
    {
        var rng = new SeededRng(5);
        foreach (int kc in Depths)
            foreach (int mc in new[] { 1, 5, 6, 7, 12, 17 })
            {
                int lda = kc + 3, rows = mc + 2, p0 = 2, i0 = 1;
                var a = Tensor<float>.Uniform([rows, lda + p0], -1, 1, rng).Span.ToArray();
                int slivers = (mc + Gemm.MR - 1) / Gemm.MR, packed = slivers * Gemm.MR * kc;
                var dst = new float[packed + 16];
                Array.Fill(dst, float.NaN, packed, 16);
                fixed (float* pa = a, pd = dst)
                {
                    var op = new GemmOperands<float>(pa, lda + p0, 1, null, 0, 0, null, 0, 0, rows, 0, lda, 1f, 0f);
                    Gemm.PackA(op, i0, mc, p0, kc, pd);
                }
                for (int s = 0; s < slivers; s++)
                    for (int p = 0; p < kc; p++)
                        for (int r = 0; r < Gemm.MR; r++)
                        {
                            int i = s * Gemm.MR + r;
                            float want = i < mc ? a[(i0 + i) * (lda + p0) + p0 + p] : 0f;
                            float got = dst[s * Gemm.MR * kc + p * Gemm.MR + r];
                            Assert.True(want.Equals(got), $"PackA kc={kc} mc={mc}: sliver {s} step {p} row {r}: expected {want}, got {got}");
                        }
                for (int g = packed; g < dst.Length; g++)
                    Assert.True(float.IsNaN(dst[g]), $"PackA kc={kc} mc={mc}: wrote past the block at {g - packed}");
            }
    }

    /// <summary>
    /// A stored transposed (op(A) column-major): full slivers with two more values in A's row go through the 8-float
    /// copies, step by step across slivers; the rest, and the last step, value by value. m takes every distance from
    /// the block's end to the row's end that decides which slivers are vectorised.
    /// </summary>
    [Fact]
    public void PackA_Transposed_EqualsDefinitionAndStaysInsideTheBlock()
    {
        var rng = new SeededRng(7);
        foreach (int kc in Depths)
            foreach (int mc in new[] { 1, 5, 6, 7, 12, 17, 24 })
                foreach (int extra in new[] { 0, 1, 2, 3, 7 })
                {
                    int i0 = 1, p0 = 2, m = i0 + mc + extra, lda = m + (extra % 2), rows = kc + p0;
                    var a = Tensor<float>.Uniform([rows * lda], -1, 1, rng).Span.ToArray(); // A (k, m) stored, op(A) = Aᵀ
                    int slivers = (mc + Gemm.MR - 1) / Gemm.MR, packed = slivers * Gemm.MR * kc;
                    var dst = new float[packed + 16];
                    Array.Fill(dst, float.NaN, packed, 16);
                    fixed (float* pa = a, pd = dst)
                    {
                        var op = new GemmOperands<float>(pa, 1, lda, null, 0, 0, null, 0, 0, m, 0, rows, 1f, 0f);
                        Gemm.PackA(op, i0, mc, p0, kc, pd);
                    }
                    for (int s = 0; s < slivers; s++)
                        for (int p = 0; p < kc; p++)
                            for (int r = 0; r < Gemm.MR; r++)
                            {
                                int i = s * Gemm.MR + r;
                                float want = i < mc ? a[(p0 + p) * lda + i0 + i] : 0f;
                                float got = dst[s * Gemm.MR * kc + p * Gemm.MR + r];
                                Assert.True(want.Equals(got), $"PackA transposed kc={kc} mc={mc} m={m}: sliver {s} step {p} row {r}: expected {want}, got {got}");
                            }
                    for (int g = packed; g < dst.Length; g++)
                        Assert.True(float.IsNaN(dst[g]), $"PackA transposed kc={kc} mc={mc} m={m}: wrote past the block at {g - packed}");
                }
    }

    [Fact]
    public void PackB_RowMajor_EqualsDefinitionAndStaysInsideThePanels()
    {
        var rng = new SeededRng(6);
        int nr = Gemm.BestIsa is { } isa ? Gemm.TileColumns<float>(isa) : 16;
        foreach (int kc in Depths)
            foreach (int nc in new[] { 1, nr - 1, nr, nr + 1, 2 * nr, 3 * nr + 5 })
            {
                int ldb = nc + 3, p0 = 1, j0 = 2;
                var b = Tensor<float>.Uniform([kc + p0, ldb + j0], -1, 1, rng).Span.ToArray();
                int panels = (nc + nr - 1) / nr, packed = panels * nr * kc;
                var dst = new float[packed + 16];
                Array.Fill(dst, float.NaN, packed, 16);
                fixed (float* pb = b, pd = dst)
                {
                    var op = new GemmOperands<float>(null, 0, 0, pb, ldb + j0, 1, null, 0, 0, 0, ldb, kc + p0, 1f, 0f);
                    Gemm.PackB(op, p0, kc, j0, nc, nr, pd);
                }
                for (int t = 0; t < panels; t++)
                    for (int p = 0; p < kc; p++)
                        for (int j = 0; j < nr; j++)
                        {
                            int col = t * nr + j;
                            float want = col < nc ? b[(p0 + p) * (ldb + j0) + j0 + col] : 0f;
                            float got = dst[t * nr * kc + p * nr + j];
                            Assert.True(want.Equals(got), $"PackB kc={kc} nc={nc}: panel {t} step {p} column {j}: expected {want}, got {got}");
                        }
                for (int g = packed; g < dst.Length; g++)
                    Assert.True(float.IsNaN(dst[g]), $"PackB kc={kc} nc={nc}: wrote past the panels at {g - packed}");
            }
    }
}
