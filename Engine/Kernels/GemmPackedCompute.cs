using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Below this many multiply-adds a pre-packed product runs on the calling thread. Lower than the unpacked call's
    /// 2²² because there is no packing of B to share: splitting only costs one pool dispatch (a few µs), which a
    /// per-step (32×256)·(256×256) product of an RNN (2.1·10⁶) already repays.
    /// </summary>
    internal const long PackedParallelMultiplyAdds = 1 << 20;

    /// <summary>
    /// <c>C = α·op(A)·B + β·C</c> with B packed beforehand (<see cref="GemmPackedB{T}"/>, op(B) (k, n)): op(A) is
    /// (m, k), stored (m, k) with row stride <paramref name="lda"/> or (k, m) when <paramref name="transA"/>; C is
    /// (m, n) with row stride <paramref name="ldc"/>. Bit-identical to <see cref="Compute{T}(bool, bool, int, int, int, T, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, T, Span{T}, int, WorkerPool?)"/>
    /// on the B that was packed, whatever <paramref name="pool"/>'s thread count; it only skips packing B, which
    /// for a short C (an RNN step: m = batch) is a large part of the time. Allocates nothing at steady state.
    /// </summary>
    internal static unsafe void Compute<T>(bool transA, int m, T alpha, ReadOnlySpan<T> a, int lda, GemmPackedB<T> b,
        T beta, Span<T> c, int ldc, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.N, k = b.K;
        T[] panels = b.Panels;
        Validate(transA, false, m, n, k, a.Length, lda, k * n, n, c.Length, ldc);
        CheckDisjoint<T>(c, m, n, ldc, "A", a, transA ? k : m, transA ? m : k, lda);
        if (b.Isa is not { } isa)
        {
            Reference(transA, false, m, n, k, alpha, a, lda, panels, n, beta, c, ldc);
            return;
        }
        if (k > b.Blocking.MaxKC && alpha != T.One && m > 0 && n > 0)
        {   // α once on the whole sum, as the unpacked path does (GemmDriver.AlphaAfterAllSlices), so the two stay bit-identical
            T[] scratch = System.Buffers.ArrayPool<T>.Shared.Rent(checked(m * n));
            try
            {
                Compute(transA, m, T.One, a, lda, b, T.Zero, scratch.AsSpan(0, m * n), n, pool);
                fixed (T* pc = c)
                fixed (T* s = scratch)
                    ScaleInto(GemmOperands<T>.RowMajor(transA, false, m, n, k, alpha, null, lda, null, n, beta, pc, ldc), s);
            }
            finally { System.Buffers.ArrayPool<T>.Shared.Return(scratch); }
            return;
        }
        fixed (T* pa = a)
        fixed (T* pc = c)
        fixed (T* pp = panels)
        fixed (T* pt = b.TailRows)
        {
            var op = GemmOperands<T>.RowMajor(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc);
            if (m == 0 || n == 0) return;
            if (k == 0)
            {
                ScaleC(op);
                return;
            }
            int threads = pool is null || (long)m * n * k < PackedParallelMultiplyAdds ? 1 : pool.Threads; // small products stay on the caller
            var job = GemmPackedJob<T>.ForThisThread();
            job.Set(isa, b, op, pp, pt, dots: op.Acs == 1 && b.TailColumns > 0, threads); // GemmPlan: dots need a unit-stride op(A) row
            job.Run(threads == 1 ? null : pool);
            job.Clear();
        }
    }

    /// <summary>
    /// Tiles of C[i0..i1, j0..j1) against pre-packed panels (<paramref name="j0"/> a multiple of NR): the loop nest
    /// of <see cref="Block{T, TVec, S}"/> without its packing of B, slice for slice the same arithmetic. A is read in place
    /// only when <paramref name="mayReadAInPlace"/> (this block is not one of several column groups: see RowBlock).
    /// <paramref name="tail"/>, when it has columns, is the dot-product columns of C, done for rows [i0, i1) along
    /// with the last panel of [j0, j1) (k must fit one slice).
    /// </summary>
    internal static unsafe void PackedBlock<T, TVec, S>(in GemmOperands<T> op, GemmPackedB<T> b, T* panels, int i0, int i1, int j0, int j1, bool mayReadAInPlace, in GemmOperands<T> tail)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        var blk = b.Blocking;
        int nr = b.Nr;
        var ws = GemmWorkspaceView<T>.ForThisThread(blk, nr);
        for (int jc = j0 / blk.NC * blk.NC; jc < j1; jc += blk.NC)
        {
            int nc = Math.Min(blk.NC, b.N - jc); // the column block as packed
            int s0 = Math.Max(j0, jc), s1 = Math.Min(j1, jc + nc);
            for (int pc = 0, kc; pc < op.K; pc += kc)
            {
                kc = blk.Slice(op.K, pc);
                T* slice = panels + GemmPackedB<T>.SliceOffset(blk, nr, op.K, jc, nc, pc) + (s0 - jc) * kc;
                var s = GemmSlice<T>.Create(op, s0, s1 - s0, pc, kc, panelByPanel: false);
                var dots = s1 == j1 ? tail : default;
                for (int ic = i0; ic < i1; ic += blk.MC)
                    RowBlock<T, TVec, S>(op, s, ic, Math.Min(blk.MC, i1 - ic), ws.A, slice, ws.Tile, mayReadAInPlace, dots);
            }
        }
    }
}

/// <summary>
/// The <see cref="IParallelWork"/> of one GEMM with pre-packed B, kept per calling thread and refilled on every
/// call. Items are blocks of C: for a short C (m ≤ 2·MC, e.g. an RNN step) of at least two panels per thread, one group
/// of whole column panels per thread (four smaller groups per thread measured up to 1.5× slower at H = 512,
/// docs/kernels.md §5.7: each reads A in place for a couple of panels instead of packing it once); otherwise blocks
/// of rows. The last columns, when they are dot products, are done by each block of rows with its last panel when
/// k fits one slice, else they are extra items split by rows. Each element of C belongs to one item and is computed
/// with the same k slices in the same order whatever the split.
/// </summary>
internal sealed unsafe class GemmPackedJob<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmPackedJob<T>? s_current;

    private GemmIsa _isa;
    private GemmPackedB<T>? _b;
    private GemmOperands<T> _op, _dots;
    private T* _panels;
    private int _tileColumns, _columnsPerItem, _columnItems, _rowsPerItem, _rowItems, _dotRows, _dotItems;
    private bool _fusedDots;

    public static GemmPackedJob<T> ForThisThread() => s_current ??= new GemmPackedJob<T>();

    public void Set(GemmIsa isa, GemmPackedB<T> b, in GemmOperands<T> op, T* panels, T* tailRows, bool dots, int threads)
    {
        (_isa, _b, _op) = (isa, b, op);
        _panels = panels;
        int m = op.M, nr = b.Nr, tail = dots ? b.TailColumns : 0;
        _tileColumns = op.N - tail;
        int panelCount = (_tileColumns + nr - 1) / nr;
        bool splitColumns = threads > 1 && m <= 2 * b.Blocking.MC && panelCount >= 2 * threads;
        int panelsPerItem = splitColumns ? (panelCount + threads - 1) / threads : Math.Max(1, panelCount);
        _columnsPerItem = panelsPerItem * nr;
        _columnItems = _tileColumns == 0 ? 0 : (panelCount + panelsPerItem - 1) / panelsPerItem;
        _rowsPerItem = threads == 1 || splitColumns ? m
            : Math.Clamp(GemmBlocking.RoundUp((m + 4 * threads - 1) / (4 * threads), Gemm.MR), Gemm.MR, b.Blocking.MC);
        _rowItems = (m + _rowsPerItem - 1) / _rowsPerItem;
        // The dot-product columns (op(B) rows (tail, k) at tailRows: p stride 1, j stride k), split by rows.
        _dots = tail == 0 ? default
            : new GemmOperands<T>(op.A, op.Ars, op.Acs, tailRows, 1, op.K, op.C + _tileColumns * op.Ccs, op.Crs, op.Ccs, m, tail, op.K, op.Alpha, op.Beta);
        // Blocks of rows that span every tile column and all of k also do the dot columns of their rows, right after
        // the last panel's tiles, reading A while it is in L1 (docs/kernels.md §5.5); otherwise they are items of their own.
        // The tail rows are contiguous (p stride 1, j stride k), so Dots copies nothing into the thread's workspace,
        // which holds the packed A block at that moment.
        _fusedDots = tail > 0 && _tileColumns > 0 && _columnItems == 1 && op.K <= b.Blocking.MaxKC;
        _dotItems = tail == 0 || _fusedDots ? 0 : Math.Min(threads, (m + Gemm.MR - 1) / Gemm.MR);
        _dotRows = _dotItems == 0 ? 0 : (m + _dotItems - 1) / _dotItems;
    }

    private int TileItems => _columnItems * _rowItems;

    /// <summary>Runs every item, on the caller alone (<paramref name="pool"/> null) or on the pool.</summary>
    public void Run(WorkerPool? pool)
    {
        int items = TileItems + _dotItems;
        if (pool is null)
            for (int i = 0; i < items; i++) Execute(i);
        else
            pool.Run(items, this);
    }

    /// <summary>Drops the references to the caller's memory once the call is over.</summary>
    public void Clear()
    {
        (_b, _op, _dots) = (null, default, default);
        _panels = null;
    }

    public void Execute(int index)
    {
        if (index >= TileItems)
        {
            int r0 = (index - TileItems) * _dotRows, r1 = Math.Min(_op.M, r0 + _dotRows);
            if (r0 >= r1) return;
            switch (_isa)
            {
                case GemmIsa.Avx512: Gemm.Dots<T, Vector512<T>, Simd512<T>>(_dots, r0, r1); break;
                case GemmIsa.Avx2: Gemm.Dots<T, Vector256<T>, Simd256<T>>(_dots, r0, r1); break;
                case GemmIsa.Vector128: Gemm.Dots<T, Vector128<T>, Simd128<T>>(_dots, r0, r1); break;
                default: Gemm.Dots<T, Vector<T>, SimdPortable<T>>(_dots, r0, r1); break;
            }
            return;
        }
        int i0 = index / _columnItems * _rowsPerItem, i1 = Math.Min(_op.M, i0 + _rowsPerItem);
        int j0 = index % _columnItems * _columnsPerItem, j1 = Math.Min(_tileColumns, j0 + _columnsPerItem);
        var tail = _fusedDots ? _dots : default;
        switch (_isa)
        {
            case GemmIsa.Avx512: Gemm.PackedBlock<T, Vector512<T>, Simd512<T>>(_op, _b!, _panels, i0, i1, j0, j1, _columnItems == 1, tail); break;
            case GemmIsa.Avx2: Gemm.PackedBlock<T, Vector256<T>, Simd256<T>>(_op, _b!, _panels, i0, i1, j0, j1, _columnItems == 1, tail); break;
            case GemmIsa.Vector128: Gemm.PackedBlock<T, Vector128<T>, Simd128<T>>(_op, _b!, _panels, i0, i1, j0, j1, _columnItems == 1, tail); break;
            default: Gemm.PackedBlock<T, Vector<T>, SimdPortable<T>>(_op, _b!, _panels, i0, i1, j0, j1, _columnItems == 1, tail); break;
        }
    }
}
