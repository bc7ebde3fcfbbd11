using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Packs the (mc, kc) block of op(A) starting at (i0, p0) into slivers of <see cref="MR"/> rows:
    /// sliver s holds rows i0 + s·MR … as kc consecutive groups of MR values (<c>dst[s·MR·kc + p·MR + r]</c>),
    /// which is exactly the order the micro-kernel broadcasts them in. Rows past mc are zero, so a ragged
    /// last sliver needs no special case in the kernel.
    /// </summary>
    internal static unsafe void PackA<T>(in GemmOperands<T> op, int i0, int mc, int p0, int kc, T* dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint rs = op.Ars, cs = op.Acs;
        int s0 = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported && rs == 1 && cs != 1)
        {
            // op(A) column-major (A stored transposed), float with AVX: the full slivers followed by two more values
            // in A's row (i + 8 ≤ m) are packed step by step across slivers (PackTransposedSlivers).
            int slivers = Math.Min(mc / MR, Math.Max(0, (op.M - i0 - 2) / MR));
            s0 = PackTransposedSlivers((float*)(op.A + i0 * rs + p0 * cs), cs, slivers, kc, (float*)dst);
            dst += s0 * kc;
        }
        for (int s = s0; s < mc; s += MR, dst += MR * kc)
        {
            int rows = Math.Min(MR, mc - s);
            T* src = op.A + (i0 + s) * rs + p0 * cs;
            if (rows == MR && cs == 1)
            {
                // op(A) row-major along p: gather one value from each of the MR rows per step; for float with AVX
                // eight steps at a time through an in-register transpose (PackSliver6), the rest one by one.
                int p = typeof(T) == typeof(float) && Avx.IsSupported ? PackSliver6((float*)src, rs, kc, (float*)dst) : 0;
                T* r0 = src, r1 = src + rs, r2 = src + 2 * rs, r3 = src + 3 * rs, r4 = src + 4 * rs, r5 = src + 5 * rs;
                T* d = dst + p * MR;
                for (; p < kc; p++, d += MR)
                {
                    d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]; d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p];
                }
            }
            else if (rows == MR && rs == 1)
            {
                // op(A) column-major (A stored transposed): the MR values of one step are contiguous.
                T* d = dst;
                for (int p = 0; p < kc; p++, d += MR, src += cs)
                {
                    d[0] = src[0]; d[1] = src[1]; d[2] = src[2]; d[3] = src[3]; d[4] = src[4]; d[5] = src[5];
                }
            }
            else
            {
                T* d = dst;
                for (int p = 0; p < kc; p++, d += MR)
                    for (int r = 0; r < MR; r++)
                        d[r] = r < rows ? src[r * rs + p * cs] : T.Zero;
            }
        }
    }

    /// <summary>
    /// Packs the (kc, nc) block of op(B) starting at (p0, j0) into panels of <paramref name="nr"/> columns:
    /// panel t holds columns j0 + t·nr … as kc consecutive rows of nr values (<c>dst[t·nr·kc + p·nr + j]</c>).
    /// Columns past nc are zero.
    /// </summary>
    internal static unsafe void PackB<T>(in GemmOperands<T> op, int p0, int kc, int j0, int nc, int nr, T* dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint rs = op.Brs, cs = op.Bcs;
        if (cs == 1 && nc % nr == 0 && nc > nr)
        {
            // Row-major op(B), whole panels: walk B row by row (one long sequential read per row, which the
            // hardware prefetcher follows) and deal each row out to the panels.
            for (int p = 0; p < kc; p++)
            {
                T* row = op.B + (p0 + p) * rs + j0;
                for (int t = 0; t < nc; t += nr)
                    CopyPanelRow(row + t, dst + t * kc + p * nr, nr);
            }
            return;
        }
        for (int t = 0; t < nc; t += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - t);
            T* src = op.B + p0 * rs + (j0 + t) * cs;
            if (cs == 1)
            {
                // op(B) row-major along j: each packed row is a contiguous copy (CopyPanelRow for a whole panel, a
                // span copy and zero fill for the ragged last one).
                T* d = dst;
                for (int p = 0; p < kc; p++, d += nr, src += rs)
                {
                    if (cols == nr)
                    {
                        CopyPanelRow(src, d, nr);
                        continue;
                    }
                    new ReadOnlySpan<T>(src, cols).CopyTo(new Span<T>(d, cols));
                    new Span<T>(d + cols, nr - cols).Clear();
                }
            }
            else
            {
                // op(B) column-major (B stored transposed): 8×8 register transposes for float, else gather each
                // packed row from the nr columns (contiguous writes; the nr column streams stay in L1).
                if (typeof(T) == typeof(float) && rs == 1 && TryPackTransposedPanel((float*)src, cs, kc, cols, nr, (float*)dst))
                    continue;
                T* d = dst;
                for (int p = 0; p < kc; p++, d += nr)
                {
                    T* row = src + p * rs;
                    int j = 0;
                    for (; j < cols; j++) d[j] = row[j * cs];
                    for (; j < nr; j++) d[j] = T.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Copies one packed row of a B panel (<paramref name="count"/> values, a whole number of vectors for the
    /// tile widths used here) with vector loads and stores inline: a <see cref="Span{T}.CopyTo"/> call per
    /// 128-byte row cost 4 % of an RNN pass in its call and size dispatch (perf, 2026-12-02).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyPanelRow<T>(T* src, T* dst, int count) where T : unmanaged
    {
        int bytes = count * sizeof(T);
        byte* s = (byte*)src, d = (byte*)dst;
        if (Vector512.IsHardwareAccelerated && bytes % 64 == 0)
        {
            for (int o = 0; o < bytes; o += 64) Vector512.Store(Vector512.Load(s + o), d + o);
            return;
        }
        if (Vector256.IsHardwareAccelerated && bytes % 32 == 0)
        {
            for (int o = 0; o < bytes; o += 32) Vector256.Store(Vector256.Load(s + o), d + o);
            return;
        }
        if (Vector128.IsHardwareAccelerated && bytes % 16 == 0) // ARM64
        {
            for (int o = 0; o < bytes; o += 16) Vector128.Store(Vector128.Load(s + o), d + o);
            return;
        }
        new ReadOnlySpan<T>(src, count).CopyTo(new Span<T>(dst, count));
    }

    /// <summary>
    /// Packs the first <paramref name="slivers"/> full slivers of a transposed float A block (step p of row i at
    /// <c>src + p·cs + i</c>, each sliver's six values followed by at least two more in A's row) into
    /// <c>dst[s·6·kc + p·6 + r]</c>. Steps go outer and slivers inner, so A is read along its rows, once; each step of a
    /// sliver is one 8-float load and store, whose last two floats that sliver's next step overwrites. The last step is
    /// copied value by value, so no store reaches the next sliver. Returns the rows packed. A copy changes no value.
    /// </summary>
    private static unsafe int PackTransposedSlivers(float* src, nint cs, int slivers, int kc, float* dst)
    {
        if (slivers == 0 || kc == 0) return 0;
        int sliver = MR * kc;
        for (int p = 0; p + 1 < kc; p++)
        {
            float* row = src + p * cs, d = dst + p * MR;
            for (int s = 0; s < slivers; s++, row += MR, d += sliver) Avx.Store(d, Avx.LoadVector256(row));
        }
        float* last = src + (kc - 1) * cs;
        for (int s = 0; s < slivers; s++)
            for (int r = 0; r < MR; r++) dst[s * sliver + (kc - 1) * MR + r] = last[s * MR + r];
        return slivers * MR;
    }

    /// <summary>
    /// Packs steps [0, p) of one full MR = 6 row sliver of a row-major float A (rows <c>src + r·rs</c>) into
    /// <c>dst[p·6 + r]</c>, eight steps at a time: the six rows (and two zero rows) are transposed in registers
    /// and each step's column is stored as eight floats at <c>dst + p·6</c>, its last two overwritten by the next
    /// step's store. Stops while a step remains after the block, so no store reaches past the sliver; returns p,
    /// where the caller's scalar loop goes on. A copy changes no value.
    /// </summary>
    private static unsafe int PackSliver6(float* src, nint rs, int kc, float* dst)
    {
        int p = 0;
        for (; p + 8 < kc; p += 8)
        {
            float* s0 = src + p;
            var r0 = Avx.LoadVector256(s0);
            var r1 = Avx.LoadVector256(s0 + rs);
            var r2 = Avx.LoadVector256(s0 + 2 * rs);
            var r3 = Avx.LoadVector256(s0 + 3 * rs);
            var r4 = Avx.LoadVector256(s0 + 4 * rs);
            var r5 = Avx.LoadVector256(s0 + 5 * rs);
            Vector256<float> r6 = default, r7 = default;
            Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            float* d = dst + p * MR; // step q's column goes to d + 6q, in increasing q
            Avx.Store(d, r0);
            Avx.Store(d + 6, r1);
            Avx.Store(d + 12, r2);
            Avx.Store(d + 18, r3);
            Avx.Store(d + 24, r4);
            Avx.Store(d + 30, r5);
            Avx.Store(d + 36, r6);
            Avx.Store(d + 42, r7);
        }
        return p;
    }
}
