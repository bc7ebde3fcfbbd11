using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Packs rows [0, kc) of a float panel whose op(B) is stored transposed (column j of op(B) contiguous
    /// along p at <c>src + j·cs</c>) into <c>dst[p·nr + j]</c>, 8×8 blocks at a time through an in-register
    /// transpose; the ragged columns and rows go through the scalar loop. Returns false (doing nothing) when
    /// the hardware has no AVX, so the caller falls back to the scalar packing.
    /// </summary>
    internal static unsafe bool TryPackTransposedPanel(float* src, nint cs, int kc, int cols, int nr, float* dst)
    {
        if (!Avx.IsSupported) return false;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            int j = 0;
            for (; j + 8 <= cols; j += 8) Transpose8x8(src + j * cs + p, cs, dst + p * nr + j, nr);
            for (int q = p; q < p + 8; q++) PackRowTail(src, cs, q, j, cols, nr, dst + q * nr);
        }
        for (; p < kc; p++) PackRowTail(src, cs, p, 0, cols, nr, dst + p * nr);
        return true;
    }

    /// <summary>dst[j] = column j at p for j in [from, cols); zeros up to nr.</summary>
    private static unsafe void PackRowTail(float* src, nint cs, int p, int from, int cols, int nr, float* dst)
    {
        int j = from;
        for (; j < cols; j++) dst[j] = src[j * cs + p];
        for (; j < nr; j++) dst[j] = 0f;
    }

    /// <summary>
    /// Reads 8 rows of 8 floats (<c>src + r·srcStride</c>) and writes their transpose
    /// (<c>dst + q·dstStride</c> gets element q of every row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(dst, r0);
        Avx.Store(dst + dstStride, r1);
        Avx.Store(dst + 2 * dstStride, r2);
        Avx.Store(dst + 3 * dstStride, r3);
        Avx.Store(dst + 4 * dstStride, r4);
        Avx.Store(dst + 5 * dstStride, r5);
        Avx.Store(dst + 6 * dstStride, r6);
        Avx.Store(dst + 7 * dstStride, r7);
    }

    /// <summary>
    /// Transposes the 8×8 matrix held in eight registers (row r in <paramref name="r0"/> … <paramref name="r7"/>;
    /// afterwards register q holds column q): unpack pairs, shuffle quads, swap 128-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);

        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
