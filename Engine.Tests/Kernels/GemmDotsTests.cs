using System.Runtime.Intrinsics;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.Dots{T, TVec, S}"/> does rows in groups of three, then the rest one by one;
/// every row must get the bits of the one-row dot product whatever group it falls in, or a row's value would depend
/// on the block of rows it was computed with. The dot products themselves are checked against the scalar reference
/// through every <see cref="GemmTests"/> case with a few trailing columns.
/// </summary>
public sealed unsafe class GemmDotsTests
{
    [Fact]
    public void Dots_RowsInGroups_BitIdenticalToOneRowAtATime()
    {
        var rng = new SeededRng(61);
        if (Vector512.IsHardwareAccelerated)
        {
            Check<float, Vector512<float>, Simd512<float>>(rng, "Avx512 float");
            Check<double, Vector512<double>, Simd512<double>>(rng, "Avx512 double");
        }
        if (Vector256.IsHardwareAccelerated) Check<float, Vector256<float>, Simd256<float>>(rng, "Avx2 float");
        if (Vector128.IsHardwareAccelerated) Check<float, Vector128<float>, Simd128<float>>(rng, "Vector128 float");
        Check<float, Vector<float>, SimdPortable<float>>(rng, "Portable float");
    }

    private static void Check<T, TVec, S>(SeededRng rng, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        const int m = 38, n = 2; // twelve groups of three, then two rows alone
        foreach (int k in new[] { 1, 15, 16, 17, 64, 100, 256, 257, 321 })
            foreach (T beta in new[] { T.Zero, T.CreateChecked(0.5) })
            {
                int lda = k + 3;
                T[] a = Tensor<T>.Uniform([m * lda], T.CreateChecked(-1), T.One, rng).Span.ToArray();
                T[] b = Tensor<T>.Uniform([n * k], T.CreateChecked(-1), T.One, rng).Span.ToArray(); // op(B) columns as rows (p stride 1)
                T[] start = Tensor<T>.Uniform([m * n], T.CreateChecked(-1), T.One, rng).Span.ToArray();
                T[] grouped = (T[])start.Clone(), single = (T[])start.Clone();
                fixed (T* pa = a, pb = b, pg = grouped, ps = single)
                {
                    T alpha = T.CreateChecked(0.75);
                    var all = new GemmOperands<T>(pa, lda, 1, pb, 1, k, pg, n, 1, m, n, k, alpha, beta);
                    var one = new GemmOperands<T>(pa, lda, 1, pb, 1, k, ps, n, 1, m, n, k, alpha, beta);
                    Gemm.Dots<T, TVec, S>(all, 0, m);
                    for (int i = 0; i < m; i++) Gemm.Dots<T, TVec, S>(one, i, i + 1);
                }
                TensorAssert.BitEqual<T>(single, grouped, $"{path}, k = {k}, β = {beta}: rows in groups vs one at a time");
            }
    }
}
