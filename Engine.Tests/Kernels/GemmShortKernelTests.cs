using System.Runtime.Intrinsics;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.ShortRowsKernel{T, TVec, S}"/> against the six-row <see cref="Gemm.MicroKernel{T, TVec, S}"/> run on a
/// zero-padded copy, the path it replaced: the same multiply-adds in the same order, so the rows it writes are
/// bit-identical and nothing else in C is touched. The six-row kernel itself is checked against the scalar reference
/// through every <see cref="GemmTests"/> case.
/// </summary>
public sealed unsafe class GemmShortKernelTests
{
    private static readonly int[] Depths = [0, 1, 7, 17, 33, 257];

    [Fact]
    public void ShortRowsKernel_EveryRowCountAndPath_BitIdenticalToPaddedSixRowKernel()
    {
        var rng = new SeededRng(51);
        if (Vector512.IsHardwareAccelerated)
        {
            Check<float, Vector512<float>, Simd512<float>>(rng, "Avx512 float");
            Check<double, Vector512<double>, Simd512<double>>(rng, "Avx512 double");
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Check<float, Vector256<float>, Simd256<float>>(rng, "Avx2 float");
            Check<double, Vector256<double>, Simd256<double>>(rng, "Avx2 double");
        }
        if (Vector128.IsHardwareAccelerated)
        {
            // The ARM64 path's four-vector tiles, FMA3 here.
            Check<float, Vector128<float>, Simd128<float>>(rng, "Vector128 float");
            Check<double, Vector128<double>, Simd128<double>>(rng, "Vector128 double");
        }
        Check<float, Vector<float>, SimdPortable<float>>(rng, "Portable float");
        Check<double, Vector<double>, SimdPortable<double>>(rng, "Portable double");
    }

    [Fact]
    public void ShortRowsKernel_SixRows_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.ShortRowsKernel<float, Vector<float>, SimdPortable<float>>(Gemm.MR, 0, null, 0, 0, null, 0, null, 0, 1f, 0f, true));

    private static void Check<T, TVec, S>(SeededRng rng, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int nr = S.TileVectors * S.Lanes, ldc = nr + 3;
        foreach (int kc in Depths)
            for (int rows = 1; rows < Gemm.MR; rows++)
                foreach (bool packedA in new[] { true, false })
                    foreach (bool betaZero in new[] { true, false })
                    {
                        // A as a packed sliver (ars, acs) = (1, MR), or row-major in place (lda, 1) with lda = kc + 2.
                        int lda = kc + 2;
                        nint ars = packedA ? 1 : lda, acs = packedA ? Gemm.MR : 1;
                        T[] a = Random<T>(rng, Math.Max(1, packedA ? Gemm.MR * kc : Gemm.MR * lda));
                        if (packedA) for (int p = 0; p < kc; p++) for (int r = rows; r < Gemm.MR; r++) a[p * Gemm.MR + r] = T.Zero;
                        T[] b = Random<T>(rng, Math.Max(1, kc * nr));
                        T[] c0 = Random<T>(rng, rows * ldc);
                        T alpha = T.CreateTruncating(1.25), beta = betaZero ? T.Zero : T.CreateTruncating(-0.5);

                        T[] expected = (T[])c0.Clone();
                        T[] tile = new T[Gemm.MR * nr];
                        for (int r = 0; r < rows; r++) Array.Copy(c0, r * ldc, tile, r * nr, nr);
                        T[] actual = (T[])c0.Clone();
                        fixed (T* pa = a, pb = b, pt = tile, pc = actual)
                        {
                            Gemm.MicroKernel<T, TVec, S>(kc, pa, ars, acs, pb, nr, pt, nr, alpha, beta, betaZero);
                            Gemm.ShortRowsKernel<T, TVec, S>(rows, kc, pa, ars, acs, pb, nr, pc, ldc, alpha, beta, betaZero);
                        }
                        for (int r = 0; r < rows; r++) Array.Copy(tile, r * nr, expected, r * ldc, nr);
                        TensorAssert.BitEqual<T>(expected, actual, $"{what}, rows {rows}, kc {kc}, packed A {packedA}, β = 0 {betaZero}");
                    }
    }

    private static T[] Random<T>(SeededRng rng, int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }
}
