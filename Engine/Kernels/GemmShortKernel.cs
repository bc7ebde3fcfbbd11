namespace SeqLearn.Kernels;

/// <summary>A row count known when the JIT compiles a kernel: each struct below gets its own machine code.</summary>
internal interface IGemmRows
{
    /// <summary>Rows of C the kernel computes, 1 … MR − 1.</summary>
    static abstract int N { get; }
}

internal struct GemmRows1 : IGemmRows { public static int N => 1; }
internal struct GemmRows2 : IGemmRows { public static int N => 2; }
internal struct GemmRows3 : IGemmRows { public static int N => 3; }
internal struct GemmRows4 : IGemmRows { public static int N => 4; }
internal struct GemmRows5 : IGemmRows { public static int N => 5; }

public static partial class Gemm
{
    /// <summary>
    /// <see cref="MicroKernel{T, TVec, S}"/> for the last, short sliver of a block: rows &lt; MR of a full-width tile,
    /// written straight into C. A 32-row RNN step is five slivers of six rows and one of two; running the six-row
    /// kernel on a padded copy there spends a ninth of the step's multiply-adds on rows that do not exist.
    /// </summary>
    /// <remarks>
    /// Each element gets the same fused multiply-adds in the same order as in the six-row kernel (rank-1 updates over
    /// p, then <c>α·acc (+ β·C)</c>), so the results are bit-identical to the six-row kernel run on a zero-padded copy.
    /// </remarks>
    internal static unsafe void ShortRowsKernel<T, TVec, S>(int rows, int kc, T* a, nint ars, nint acs, T* b, nint brs, T* c, nint ldc, T alpha, T beta, bool betaZero)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        switch (rows)
        {
            case 1: ShortRowsKernel<T, TVec, S, GemmRows1>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero); break;
            case 2: ShortRowsKernel<T, TVec, S, GemmRows2>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero); break;
            case 3: ShortRowsKernel<T, TVec, S, GemmRows3>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero); break;
            case 4: ShortRowsKernel<T, TVec, S, GemmRows4>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero); break;
            case 5: ShortRowsKernel<T, TVec, S, GemmRows5>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "ShortRowsKernel: 1 to MR - 1 rows.");
        }
    }

    /// <summary>The kernel for <typeparamref name="R"/>.N rows: the row tests below are constants, so unused rows vanish.</summary>
    [SkipLocalsInit]
    private static unsafe void ShortRowsKernel<T, TVec, S, R>(int kc, T* a, nint ars, nint acs, T* b, nint brs, T* c, nint ldc, T alpha, T beta, bool betaZero)
        where T : unmanaged
        where TVec : struct
        where S : IGemmSimd<T, TVec>
        where R : struct, IGemmRows
    {
        if (S.TileVectors == 4)
        {
            ShortRowsKernelWide<T, TVec, S, R>(kc, a, ars, acs, b, brs, c, ldc, alpha, beta, betaZero);
            return;
        }
        int w = S.Lanes;
        TVec c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero;
        TVec c30 = S.Zero, c31 = S.Zero, c40 = S.Zero, c41 = S.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = S.Load(b), b1 = S.Load(b + w);
            TVec ai = S.Broadcast(a);
            c00 = S.MultiplyAdd(ai, b0, c00); c01 = S.MultiplyAdd(ai, b1, c01);
            if (R.N > 1) { ai = S.Broadcast(a + ars); c10 = S.MultiplyAdd(ai, b0, c10); c11 = S.MultiplyAdd(ai, b1, c11); }
            if (R.N > 2) { ai = S.Broadcast(a + 2 * ars); c20 = S.MultiplyAdd(ai, b0, c20); c21 = S.MultiplyAdd(ai, b1, c21); }
            if (R.N > 3) { ai = S.Broadcast(a + 3 * ars); c30 = S.MultiplyAdd(ai, b0, c30); c31 = S.MultiplyAdd(ai, b1, c31); }
            if (R.N > 4) { ai = S.Broadcast(a + 4 * ars); c40 = S.MultiplyAdd(ai, b0, c40); c41 = S.MultiplyAdd(ai, b1, c41); }
            a += acs;
            b += brs;
        }
        TVec va = S.Splat(alpha);
        if (betaZero)
        {
            StoreScaled<T, TVec, S>(c, w, va, c00, c01);
            if (R.N > 1) StoreScaled<T, TVec, S>(c + ldc, w, va, c10, c11);
            if (R.N > 2) StoreScaled<T, TVec, S>(c + 2 * ldc, w, va, c20, c21);
            if (R.N > 3) StoreScaled<T, TVec, S>(c + 3 * ldc, w, va, c30, c31);
            if (R.N > 4) StoreScaled<T, TVec, S>(c + 4 * ldc, w, va, c40, c41);
        }
        else
        {
            TVec vb = S.Splat(beta);
            Update<T, TVec, S>(c, w, va, vb, c00, c01);
            if (R.N > 1) Update<T, TVec, S>(c + ldc, w, va, vb, c10, c11);
            if (R.N > 2) Update<T, TVec, S>(c + 2 * ldc, w, va, vb, c20, c21);
            if (R.N > 3) Update<T, TVec, S>(c + 3 * ldc, w, va, vb, c30, c31);
            if (R.N > 4) Update<T, TVec, S>(c + 4 * ldc, w, va, vb, c40, c41);
        }
    }
}
