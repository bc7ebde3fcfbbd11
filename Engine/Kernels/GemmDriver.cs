using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>Which vector width the packed GEMM runs on.</summary>
internal enum GemmIsa
{
    /// <summary>Vector512 with FMA: 6×32 float / 6×16 double tiles.</summary>
    Avx512,
    /// <summary>Vector256 with FMA: 6×16 float / 6×8 double tiles.</summary>
    Avx2,
    /// <summary>Vector128 with FMA (ARM64 NEON; FMA3 on x86 when forced): 6×16 float / 6×8 double tiles of four vectors per row.</summary>
    Vector128,
    /// <summary>Vector&lt;T&gt; with separate multiply and add.</summary>
    Portable,
}

public static partial class Gemm
{
    /// <summary>The widest vector path this machine runs natively, or null when there is none (scalar reference).</summary>
    internal static GemmIsa? BestIsa =>
        Vector512.IsHardwareAccelerated ? GemmIsa.Avx512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmIsa.Avx2
        : Vector128.IsHardwareAccelerated && GateDispatch.Fused128 ? GemmIsa.Vector128
        : Vector.IsHardwareAccelerated ? GemmIsa.Portable
        : null;

    /// <summary>Columns of the micro-tile for the given path: two vectors, four on the 128-bit path (<see cref="IGemmSimd{T, TVec}.TileVectors"/>).</summary>
    internal static int TileColumns<T>(GemmIsa isa) where T : unmanaged =>
        isa switch
        {
            GemmIsa.Avx512 => 2 * Vector512<T>.Count,
            GemmIsa.Avx2 => 2 * Vector256<T>.Count,
            GemmIsa.Vector128 => 4 * Vector128<T>.Count,
            _ => 2 * Vector<T>.Count,
        };

    /// <summary>
    /// The packed, blocked GEMM on one problem (float or double only). Splits C into the tiles of a
    /// <see cref="GemmPlan"/> and runs them on <paramref name="pool"/>; the plan's orientation and the
    /// k-blocking depend only on the shape, so the result does not depend on the thread count.
    /// </summary>
    internal static unsafe void Packed<T>(GemmIsa isa, GemmBlocking blocking, in GemmOperands<T> op, WorkerPool? pool, bool depthIsRows = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (op.M == 0 || op.N == 0) return;
        if (op.K == 0)
        {
            ScaleC(op);
            return;
        }
        if (op.K > blocking.MaxKC && op.Alpha != T.One)
        {
            AlphaAfterAllSlices(isa, blocking, op, pool, depthIsRows);
            return;
        }
        int threads = pool?.Threads ?? 1;
        // Below ~160³ multiply-adds (~40 µs on one core) waking the workers costs more than it saves
        // (64³ on 2 threads measured at a quarter of the 1-thread speed). The split never changes the result.
        if ((long)op.M * op.N * op.K < 1 << 22) threads = 1;
        // A depth that runs over rows (Compute's depthIsRows) takes no dot-product part: the plan sees op(A) as not row-major.
        var plan = GemmPlan.Create(op.M, op.N, op.K, op.Acs == 1 && !depthIsRows, op.Bcs == 1, typeof(T) == typeof(float) && Avx.IsSupported, TileColumns<T>(isa), blocking, threads);
        var job = GemmJob<T>.ForThisThread();
        job.Set(isa, blocking, plan, op);
        job.Run(pool, threads);
        job.Clear();
    }

    /// <summary>
    /// α ≠ 1 with k cut into slices: the micro-kernels would scale each slice's partial sum by α, which can overflow where
    /// α times the whole sum does not (|α| &gt; 1, partial sums near the type's range). So the unscaled product goes into a
    /// scratch (m, n) and C = α·S + β·C is applied once, rounded as the kernels round their last slice (α·S fused into the
    /// add; β = 0 reads no C). The scratch comes from the array pool; the layers' own products all have α = 1.
    /// </summary>
    private static unsafe void AlphaAfterAllSlices<T>(GemmIsa isa, GemmBlocking blocking, in GemmOperands<T> op, WorkerPool? pool, bool depthIsRows)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int m = op.M, n = op.N;
        T[] scratch = System.Buffers.ArrayPool<T>.Shared.Rent(checked(m * n));
        try
        {
            fixed (T* s = scratch)
            {
                var product = new GemmOperands<T>(op.A, op.Ars, op.Acs, op.B, op.Brs, op.Bcs, s, n, 1, m, n, op.K, T.One, T.Zero);
                Packed(isa, blocking, product, pool, depthIsRows);
                ScaleInto(op, s);
            }
        }
        finally { System.Buffers.ArrayPool<T>.Shared.Return(scratch); }
    }

    /// <summary>C = α·S (β = 0: C not read) or fma(α, S, β·C) for the (m, n) row-major <paramref name="s"/>: the last step of <see cref="AlphaAfterAllSlices"/> on either path.</summary>
    internal static unsafe void ScaleInto<T>(in GemmOperands<T> op, T* s) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < op.M; i++)
            for (int j = 0; j < op.N; j++)
            {
                T* cij = op.C + i * op.Crs + j * op.Ccs;
                T sij = s[(nint)i * op.N + j];
                *cij = op.Beta == T.Zero ? op.Alpha * sij : T.FusedMultiplyAdd(op.Alpha, sij, op.Beta * *cij);
            }
    }

    /// <summary>k = 0: op(A)·op(B) is the zero matrix, so C = β·C (and exactly 0 when β = 0, even over NaN).</summary>
    private static unsafe void ScaleC<T>(in GemmOperands<T> op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < op.M; i++)
            for (int j = 0; j < op.N; j++)
            {
                T* cij = op.C + i * op.Crs + j * op.Ccs;
                *cij = op.Beta == T.Zero ? T.Zero : op.Beta * *cij;
            }
    }

    /// <summary>
    /// Computes the block C[i0..i1, j0..j1) of <paramref name="op"/> on the calling thread:
    /// for each NC column block, for each KC slice of k (in increasing order), pack the (KC, NC) panel of B,
    /// then for each MC row block pack the (MC, KC) block of A and sweep the micro-kernel over it
    /// (<see cref="RowBlock"/>). The first KC slice applies β, later slices accumulate with β = 1.
    /// </summary>
    internal static unsafe void Block<T, TVec, S>(in GemmOperands<T> op, GemmBlocking blk, int i0, int i1, int j0, int j1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int nr = S.TileVectors * S.Lanes;
        var ws = GemmWorkspaceView<T>.ForThisThread(blk, nr);
        // A short C (one MC block of rows) packs each B panel just before using it, while it is in L1.
        bool panelByPanel = i1 - i0 <= blk.MC;
        for (int jc = j0; jc < j1; jc += blk.NC)
        {
            int nc = Math.Min(blk.NC, j1 - jc);
            for (int pc = 0, kc; pc < op.K; pc += kc)
            {
                kc = blk.Slice(op.K, pc);
                var slice = GemmSlice<T>.Create(op, jc, nc, pc, kc, panelByPanel);
                if (!panelByPanel) PackB(op, pc, kc, jc, nc, nr, ws.B);
                for (int ic = i0; ic < i1; ic += blk.MC)
                    RowBlock<T, TVec, S>(op, slice, ic, Math.Min(blk.MC, i1 - ic), ws.A, ws.B, ws.Tile);
            }
        }
    }

    /// <summary>
    /// One MC block of rows against one (KC, NC) slice: pack the (mc, kc) block of A into <paramref name="pa"/>,
    /// then run the micro-kernel over every MR×NR tile, B panels taken from <paramref name="pb"/> (packed by
    /// the caller, or here panel by panel when <see cref="GemmSlice{T}.PanelByPanel"/>).
    /// </summary>
    /// <remarks>
    /// Packing A pays off when each sliver is reused by many column panels. For a narrow C (a few panels)
    /// a row-major A is read in place instead and only its ragged last sliver is packed. A copy changes no
    /// value, so both ways give bit-identical results. <paramref name="mayReadAInPlace"/> = false always packs A: a
    /// narrow block that is one of several column groups running at once on different cores is 1.5× faster with A
    /// packed (docs/kernels.md §5.7). When <paramref name="tail"/> has columns (the slice spans all of k), the
    /// dot-product columns of C (<see cref="Dots{T, TVec, S}"/>) of each tile's rows are computed right after that
    /// tile in the last panel, while those rows of A are in L1.
    /// </remarks>
    internal static unsafe void RowBlock<T, TVec, S>(in GemmOperands<T> op, in GemmSlice<T> s, int ic, int mc, T* pa, T* pb, T* tile, bool mayReadAInPlace = true, in GemmOperands<T> tail = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int nr = S.TileVectors * S.Lanes, kc = s.Kc;
        bool directA = mayReadAInPlace && op.Acs == 1 && s.Nc <= DirectAMaxPanels * nr;
        int mcFull = directA ? mc - mc % MR : 0; // rows read in place
        PackA(op, ic + mcFull, mc - mcFull, s.Pc, kc, pa);
        for (int jr = 0; jr < s.Nc; jr += nr)
        {
            int cols = Math.Min(nr, s.Nc - jr);
            bool dots = tail.N > 0 && jr + nr >= s.Nc;
            Debug.Assert(tail.N == 0 || (tail.Brs == 1 && tail.Bcs == tail.K), "fused dot columns must be contiguous rows: a copy would go to the workspace that holds packed A");
            T* b = s.PanelByPanel ? pb : pb + jr * kc;
            if (s.PanelByPanel) PackB(op, s.Pc, kc, s.Jc + jr, cols, nr, pb);
            for (int ir = 0; ir < mc; ir += MR)
            {
                int rows = Math.Min(MR, mc - ir);
                bool inPlaceA = ir < mcFull;
                T* a = inPlaceA ? op.A + (ic + ir) * op.Ars + s.Pc : pa + (ir - mcFull) * kc;
                nint ars = inPlaceA ? op.Ars : 1, acs = inPlaceA ? 1 : MR;
                T* c = op.C + (ic + ir) * op.Crs + (s.Jc + jr) * op.Ccs;
                if (rows == MR && cols == nr && op.Ccs == 1)
                {
                    MicroKernel<T, TVec, S>(kc, a, ars, acs, b, nr, c, op.Crs, op.Alpha, s.Beta, s.BetaZero);
                }
                else if (cols == nr && op.Ccs == 1)
                {
                    // A short last sliver of full-width tiles: only its rows' multiply-adds, straight into C.
                    ShortRowsKernel<T, TVec, S>(rows, kc, a, ars, acs, b, nr, c, op.Crs, op.Alpha, s.Beta, s.BetaZero);
                }
                else
                {
                    // Ragged or transposed tile: run the same kernel on a dense copy, so every
                    // element of C gets the same arithmetic wherever it sits.
                    if (!s.BetaZero) CopyTile(c, op.Crs, op.Ccs, tile, nr, 1, rows, cols);
                    MicroKernel<T, TVec, S>(kc, a, ars, acs, b, nr, tile, nr, op.Alpha, s.Beta, s.BetaZero);
                    CopyTile(tile, nr, 1, c, op.Crs, op.Ccs, rows, cols);
                }
                if (dots) Dots<T, TVec, S>(tail, ic + ir, ic + ir + rows);
            }
        }
    }

    /// <summary>A is read in place when a column block has at most this many NR-wide panels.</summary>
    internal const int DirectAMaxPanels = 4;

    private static unsafe void CopyTile<T>(T* src, nint srcRs, nint srcCs, T* dst, nint dstRs, nint dstCs, int rows, int cols)
        where T : unmanaged
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                dst[r * dstRs + j * dstCs] = src[r * srcRs + j * srcCs];
    }
}
