namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// The micro-kernel for tiles four vectors wide (<see cref="IGemmSimd{T, TVec}.TileVectors"/> = 4, the 128-bit path):
    /// an (MR, NR) = (6, 4·lanes) tile of C — 6 × 16 floats or 6 × 8 doubles — in 6 × 4 = 24 accumulators. For
    /// p = 0..kc−1 the rank-1 update <c>acc += a[:, p] · b[p, :]</c>: four vector loads of b(p, :), six broadcasts of
    /// a(r, p), 24 fused multiply-adds. Operands, strides and the final <c>C = α·acc (+ β·C)</c> are those of
    /// <see cref="MicroKernel{T, TVec, S}"/>.
    /// </summary>
    /// <remarks>
    /// Register budget on ARM64 (32 NEON registers of 128 bits): 24 accumulators + 4 B vectors + 1 broadcast = 29. The
    /// 24 independent FMA chains cover four FMA pipes of latency 4 (16 in flight), which a 12-accumulator tile cannot;
    /// per 24 FMAs the kernel loads 10 vectors (4 of B, 6 broadcasts), fewer than a 12 × 8 tile (2 + 12) of the same
    /// size. Each element of C is one FMA chain over p in order, as in every other tile.
    /// </remarks>
    [SkipLocalsInit]
    private static unsafe void MicroKernelWide<T, TVec, S>(int kc, T* a, nint ars, nint acs, T* b, nint brs, T* c, nint ldc, T alpha, T beta, bool betaZero)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int w = S.Lanes;
        TVec c00 = S.Zero, c01 = S.Zero, c02 = S.Zero, c03 = S.Zero, c10 = S.Zero, c11 = S.Zero, c12 = S.Zero, c13 = S.Zero;
        TVec c20 = S.Zero, c21 = S.Zero, c22 = S.Zero, c23 = S.Zero, c30 = S.Zero, c31 = S.Zero, c32 = S.Zero, c33 = S.Zero;
        TVec c40 = S.Zero, c41 = S.Zero, c42 = S.Zero, c43 = S.Zero, c50 = S.Zero, c51 = S.Zero, c52 = S.Zero, c53 = S.Zero;
        nint ars3 = 3 * ars, ars5 = 5 * ars;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = S.Load(b), b1 = S.Load(b + w), b2 = S.Load(b + 2 * w), b3 = S.Load(b + 3 * w);
            TVec ai = S.Broadcast(a);
            c00 = S.MultiplyAdd(ai, b0, c00); c01 = S.MultiplyAdd(ai, b1, c01); c02 = S.MultiplyAdd(ai, b2, c02); c03 = S.MultiplyAdd(ai, b3, c03);
            ai = S.Broadcast(a + ars);
            c10 = S.MultiplyAdd(ai, b0, c10); c11 = S.MultiplyAdd(ai, b1, c11); c12 = S.MultiplyAdd(ai, b2, c12); c13 = S.MultiplyAdd(ai, b3, c13);
            ai = S.Broadcast(a + 2 * ars);
            c20 = S.MultiplyAdd(ai, b0, c20); c21 = S.MultiplyAdd(ai, b1, c21); c22 = S.MultiplyAdd(ai, b2, c22); c23 = S.MultiplyAdd(ai, b3, c23);
            ai = S.Broadcast(a + ars3);
            c30 = S.MultiplyAdd(ai, b0, c30); c31 = S.MultiplyAdd(ai, b1, c31); c32 = S.MultiplyAdd(ai, b2, c32); c33 = S.MultiplyAdd(ai, b3, c33);
            ai = S.Broadcast(a + 4 * ars);
            c40 = S.MultiplyAdd(ai, b0, c40); c41 = S.MultiplyAdd(ai, b1, c41); c42 = S.MultiplyAdd(ai, b2, c42); c43 = S.MultiplyAdd(ai, b3, c43);
            ai = S.Broadcast(a + ars5);
            c50 = S.MultiplyAdd(ai, b0, c50); c51 = S.MultiplyAdd(ai, b1, c51); c52 = S.MultiplyAdd(ai, b2, c52); c53 = S.MultiplyAdd(ai, b3, c53);
            a += acs;
            b += brs;
        }
        TVec va = S.Splat(alpha), vb = S.Splat(beta);
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c00, c01, c02, c03); c += ldc;
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c10, c11, c12, c13); c += ldc;
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c20, c21, c22, c23); c += ldc;
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c30, c31, c32, c33); c += ldc;
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c40, c41, c42, c43); c += ldc;
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c50, c51, c52, c53);
    }

    /// <summary><see cref="MicroKernelWide{T, TVec, S}"/> for the first <typeparamref name="R"/>.N &lt; MR rows (see <see cref="ShortRowsKernel{T, TVec, S}"/>).</summary>
    [SkipLocalsInit]
    private static unsafe void ShortRowsKernelWide<T, TVec, S, R>(int kc, T* a, nint ars, nint acs, T* b, nint brs, T* c, nint ldc, T alpha, T beta, bool betaZero)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
        where R : struct, IGemmRows
    {
        int w = S.Lanes;
        TVec c00 = S.Zero, c01 = S.Zero, c02 = S.Zero, c03 = S.Zero, c10 = S.Zero, c11 = S.Zero, c12 = S.Zero, c13 = S.Zero;
        TVec c20 = S.Zero, c21 = S.Zero, c22 = S.Zero, c23 = S.Zero, c30 = S.Zero, c31 = S.Zero, c32 = S.Zero, c33 = S.Zero;
        TVec c40 = S.Zero, c41 = S.Zero, c42 = S.Zero, c43 = S.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = S.Load(b), b1 = S.Load(b + w), b2 = S.Load(b + 2 * w), b3 = S.Load(b + 3 * w);
            TVec ai = S.Broadcast(a);
            c00 = S.MultiplyAdd(ai, b0, c00); c01 = S.MultiplyAdd(ai, b1, c01); c02 = S.MultiplyAdd(ai, b2, c02); c03 = S.MultiplyAdd(ai, b3, c03);
            if (R.N > 1)
            {
                ai = S.Broadcast(a + ars);
                c10 = S.MultiplyAdd(ai, b0, c10); c11 = S.MultiplyAdd(ai, b1, c11); c12 = S.MultiplyAdd(ai, b2, c12); c13 = S.MultiplyAdd(ai, b3, c13);
            }
            if (R.N > 2)
            {
                ai = S.Broadcast(a + 2 * ars);
                c20 = S.MultiplyAdd(ai, b0, c20); c21 = S.MultiplyAdd(ai, b1, c21); c22 = S.MultiplyAdd(ai, b2, c22); c23 = S.MultiplyAdd(ai, b3, c23);
            }
            if (R.N > 3)
            {
                ai = S.Broadcast(a + 3 * ars);
                c30 = S.MultiplyAdd(ai, b0, c30); c31 = S.MultiplyAdd(ai, b1, c31); c32 = S.MultiplyAdd(ai, b2, c32); c33 = S.MultiplyAdd(ai, b3, c33);
            }
            if (R.N > 4)
            {
                ai = S.Broadcast(a + 4 * ars);
                c40 = S.MultiplyAdd(ai, b0, c40); c41 = S.MultiplyAdd(ai, b1, c41); c42 = S.MultiplyAdd(ai, b2, c42); c43 = S.MultiplyAdd(ai, b3, c43);
            }
            a += acs;
            b += brs;
        }
        TVec va = S.Splat(alpha), vb = S.Splat(beta);
        WriteRow4<T, TVec, S>(c, w, va, vb, betaZero, c00, c01, c02, c03);
        if (R.N > 1) WriteRow4<T, TVec, S>(c + ldc, w, va, vb, betaZero, c10, c11, c12, c13);
        if (R.N > 2) WriteRow4<T, TVec, S>(c + 2 * ldc, w, va, vb, betaZero, c20, c21, c22, c23);
        if (R.N > 3) WriteRow4<T, TVec, S>(c + 3 * ldc, w, va, vb, betaZero, c30, c31, c32, c33);
        if (R.N > 4) WriteRow4<T, TVec, S>(c + 4 * ldc, w, va, vb, betaZero, c40, c41, c42, c43);
    }

    /// <summary>One tile row of four vectors: <c>c = α·acc</c> when <paramref name="betaZero"/> (C not read), else <c>c = α·acc + β·c</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WriteRow4<T, TVec, S>(T* c, int w, TVec alpha, TVec beta, bool betaZero, TVec acc0, TVec acc1, TVec acc2, TVec acc3)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        if (betaZero)
        {
            StoreScaled<T, TVec, S>(c, w, alpha, acc0, acc1);
            StoreScaled<T, TVec, S>(c + 2 * w, w, alpha, acc2, acc3);
        }
        else
        {
            Update<T, TVec, S>(c, w, alpha, beta, acc0, acc1);
            Update<T, TVec, S>(c + 2 * w, w, alpha, beta, acc2, acc3);
        }
    }
}
