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
        for (int s = 0; s < mc; s += MR, dst += MR * kc)
        {
            int rows = Math.Min(MR, mc - s);
            T* src = op.A + (i0 + s) * rs + p0 * cs;
            if (rows == MR && cs == 1)
            {
                // op(A) row-major along p: gather one value from each of the MR rows per step.
                T* r0 = src, r1 = src + rs, r2 = src + 2 * rs, r3 = src + 3 * rs, r4 = src + 4 * rs, r5 = src + 5 * rs;
                T* d = dst;
                for (int p = 0; p < kc; p++, d += MR)
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
                    new ReadOnlySpan<T>(row + t, nr).CopyTo(new Span<T>(dst + t * kc + p * nr, nr));
            }
            return;
        }
        for (int t = 0; t < nc; t += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - t);
            T* src = op.B + p0 * rs + (j0 + t) * cs;
            if (cs == 1)
            {
                // op(B) row-major along j: each packed row is a contiguous copy (vectorised by CopyTo).
                T* d = dst;
                for (int p = 0; p < kc; p++, d += nr, src += rs)
                {
                    new ReadOnlySpan<T>(src, cols).CopyTo(new Span<T>(d, cols));
                    if (cols < nr) new Span<T>(d + cols, nr - cols).Clear();
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
}
