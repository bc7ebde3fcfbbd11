namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>Rows of the register tile (and of a packed A sliver).</summary>
    internal const int MR = 6;

    /// <summary>
    /// The register-tiled micro-kernel: an (MR, NR) tile of C with NR = 2 vectors, so 6 × 2 = 12 accumulator
    /// registers (6×32 floats or 6×16 doubles with AVX-512), plus 2 registers for the B row and one broadcast
    /// (paths with four-vector tiles go to <see cref="MicroKernelWide{T, TVec, S}"/>).
    /// For p = 0..kc−1 it performs the rank-1 update <c>acc += a[:, p] · b[p, :]</c>, reading a(r, p) at
    /// <c>a[r·ars + p·acs]</c> and the NR values of b(p, :) at <c>b[p·brs]</c>: a packed sliver is (ars, acs) = (1, MR)
    /// and a packed panel brs = NR; a row-major operand can also be read in place (ars = lda, acs = 1; brs = ldb).
    /// Then it writes <c>C = α·acc + β·C</c> (or <c>C = α·acc</c> when <paramref name="betaZero"/>, without reading C).
    /// </summary>
    /// <remarks>
    /// Each accumulator is an independent FMA chain, so 12 chains cover the FMA latency (4 cycles × 2 pipes
    /// on Zen 5 needs ≥ 8). The result of each element depends only on kc and the operand values, never on
    /// where the tile sits or which thread runs it.
    /// </remarks>
    [SkipLocalsInit]
    internal static unsafe void MicroKernel<T, TVec, S>(int kc, T* a, nint ars, nint acs, T* b, nint brs, T* c, nint ldc, T alpha, T beta, bool betaZero)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        if (S.TileVectors == 4) // a JIT-time constant: each path compiles only its own kernel
        {
            MicroKernelWide<T, TVec, S>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero);
            return;
        }
        int w = S.Lanes;
        TVec c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero;
        TVec c30 = S.Zero, c31 = S.Zero, c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero;
        nint ars3 = 3 * ars, ars5 = 5 * ars;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = S.Load(b), b1 = S.Load(b + w);
            TVec ai = S.Broadcast(a);
            c00 = S.MultiplyAdd(ai, b0, c00); c01 = S.MultiplyAdd(ai, b1, c01);
            ai = S.Broadcast(a + ars);
            c10 = S.MultiplyAdd(ai, b0, c10); c11 = S.MultiplyAdd(ai, b1, c11);
            ai = S.Broadcast(a + 2 * ars);
            c20 = S.MultiplyAdd(ai, b0, c20); c21 = S.MultiplyAdd(ai, b1, c21);
            ai = S.Broadcast(a + ars3);
            c30 = S.MultiplyAdd(ai, b0, c30); c31 = S.MultiplyAdd(ai, b1, c31);
            ai = S.Broadcast(a + 4 * ars);
            c40 = S.MultiplyAdd(ai, b0, c40); c41 = S.MultiplyAdd(ai, b1, c41);
            ai = S.Broadcast(a + ars5);
            c50 = S.MultiplyAdd(ai, b0, c50); c51 = S.MultiplyAdd(ai, b1, c51);
            a += acs;
            b += brs;
        }
        TVec va = S.Splat(alpha);
        if (betaZero)
        {
            StoreScaled<T, TVec, S>(c, w, va, c00, c01); c += ldc;
            StoreScaled<T, TVec, S>(c, w, va, c10, c11); c += ldc;
            StoreScaled<T, TVec, S>(c, w, va, c20, c21); c += ldc;
            StoreScaled<T, TVec, S>(c, w, va, c30, c31); c += ldc;
            StoreScaled<T, TVec, S>(c, w, va, c40, c41); c += ldc;
            StoreScaled<T, TVec, S>(c, w, va, c50, c51);
        }
        else
        {
            TVec vb = S.Splat(beta);
            Update<T, TVec, S>(c, w, va, vb, c00, c01); c += ldc;
            Update<T, TVec, S>(c, w, va, vb, c10, c11); c += ldc;
            Update<T, TVec, S>(c, w, va, vb, c20, c21); c += ldc;
            Update<T, TVec, S>(c, w, va, vb, c30, c31); c += ldc;
            Update<T, TVec, S>(c, w, va, vb, c40, c41); c += ldc;
            Update<T, TVec, S>(c, w, va, vb, c50, c51);
        }
    }

    /// <summary>One tile row: <c>c = α·acc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreScaled<T, TVec, S>(T* c, int w, TVec alpha, TVec acc0, TVec acc1)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        S.Store(c, S.Multiply(alpha, acc0));
        S.Store(c + w, S.Multiply(alpha, acc1));
    }

    /// <summary>One tile row: <c>c = α·acc + β·c</c>, with the α product fused into the add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update<T, TVec, S>(T* c, int w, TVec alpha, TVec beta, TVec acc0, TVec acc1)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        S.Store(c, S.MultiplyAdd(alpha, acc0, S.Multiply(beta, S.Load(c))));
        S.Store(c + w, S.MultiplyAdd(alpha, acc1, S.Multiply(beta, S.Load(c + w))));
    }
}
