using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// The <see cref="IParallelWork"/> of one GEMM. One instance is kept per calling thread and refilled on
/// every call, so running a GEMM on the pool allocates nothing. Two ways to hand out work:
/// <list type="bullet">
/// <item>groups: item i is one group of rows (or columns) of one plan part, computed over all of k;</item>
/// <item>shared slices, for a tall C on several threads: each (KC, NC) slice of B is packed once into one of
/// two buffers of the caller, and the items are small blocks of rows that pack their own A and read that
/// shared B, plus one item that packs the next slice meanwhile. Many small items let a thread that gets the
/// CPU back later take fewer of them (the machine may be shared), without packing B once per thread.</item>
/// </list>
/// Either way each tile of C is computed by one item, over the same k slices in the same order.
/// </summary>
internal sealed unsafe class GemmJob<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmJob<T>? s_current;

    private GemmIsa _isa;
    private GemmBlocking _blocking;
    private GemmPlan _plan;
    private GemmOperands<T> _first, _second;
    private bool _sharedPhase;
    private int _groupOffset;
    private GemmSlice<T> _slice;
    private T* _sharedB, _nextB;
    private GemmSlice<T> _nextSlice;
    private T[]? _spare;
    private int _rowBlock;
    private bool _packPhase;
    private GemmSlice<T> _packSlice;
    private int _packPanels;
    private T* _packDst;

    /// <summary>
    /// Shared slices are used only up to this many k slices (XW-type products, k = E or H). Each slice ends with a
    /// barrier at which a thread can wait for up to one row block, and those waits add up over the 8–25 slices of a
    /// weight gradient ΣdGᵀ·H (k = B·T), while the groups that replace them pack B once per thread, at most 1/m of
    /// their compute. Measured 2026-12-02 on Zen 4 (docs/kernels.md §5.6): groups 1.00–1.27× (median of 9
    /// alternating pairs) on every recurrent weight- and input-gradient shape, never slower.
    /// </summary>
    internal const int SharedSlicesMaxSlices = 2;

    public static GemmJob<T> ForThisThread() => s_current ??= new GemmJob<T>();

    public void Set(GemmIsa isa, GemmBlocking blocking, GemmPlan plan, in GemmOperands<T> op)
    {
        _isa = isa;
        _blocking = blocking;
        _plan = plan;
        _first = View(op, plan.First);
        _second = plan.Parts == 2 ? View(op, plan.Second) : default;
    }

    /// <summary>Drops the pointers into the caller's memory once the call is over.</summary>
    public void Clear()
    {
        _first = default;
        _second = default;
        _sharedB = null;
        _nextB = null;
    }

    /// <summary>Runs the whole plan: on the caller alone, or on <paramref name="pool"/>.</summary>
    public void Run(WorkerPool? pool, int threads)
    {
        _sharedPhase = false;
        _groupOffset = 0;
        if (pool is null || threads == 1)
        {
            for (int i = 0; i < _plan.Items; i++) Execute(i);
            return;
        }
        if (_plan.First.Kind != GemmPlan.Kind.Dots && _first.M > 2 * _blocking.MC && _first.K <= SharedSlicesMaxSlices * _blocking.KC)
        {
            RunSharedSlices(pool, threads);
            _sharedPhase = false;
            _groupOffset = _plan.First.Groups;
        }
        if (_plan.Items > _groupOffset) pool.Run(_plan.Items - _groupOffset, this);
    }

    /// <summary>
    /// The first part slice by slice: each (KC, NC) slice of B is packed once, into one of two buffers, and the
    /// rows are handed out in small blocks that read it. The loop over slice s also carries one extra item, taken
    /// first, that packs slice s + 1 into the other buffer, so no thread waits for packing except before the
    /// first slice. A copy changes no value: the result is that of packing each slice just before use.
    /// </summary>
    private void RunSharedSlices(WorkerPool pool, int threads)
    {
        ref readonly var op = ref _first;
        int nr = Gemm.TileColumns<T>(_isa);
        T* current = GemmWorkspaceView<T>.ForThisThread(_blocking, nr).B;
        T* spare = SpareB(_blocking.MaxKC * GemmBlocking.RoundUp(_blocking.NC, nr));
        // About four blocks per thread, each a whole number of slivers and at most MC rows.
        _rowBlock = Math.Clamp(GemmBlocking.RoundUp((op.M + 4 * threads - 1) / (4 * threads), Gemm.MR), Gemm.MR, _blocking.MC);
        int blocks = (op.M + _rowBlock - 1) / _rowBlock;
        var slice = NextSlice(op, default, first: true);
        PackSplit(pool, threads, slice, nr, current);
        _sharedPhase = true;
        while (true)
        {
            _slice = slice;
            _sharedB = current;
            bool more = slice.Jc + slice.Nc < op.N || slice.Pc + slice.Kc < op.K;
            _nextSlice = more ? NextSlice(op, slice, first: false) : default;
            _nextB = more ? spare : null;
            pool.Run(blocks + (more ? 1 : 0), this);
            if (!more) break;
            slice = _nextSlice;
            T* packed = spare;
            spare = current;
            current = packed;
        }
        _nextB = null;
    }

    /// <summary>
    /// Packs <paramref name="slice"/> of B into <paramref name="dst"/> on the pool, each thread a run of whole panels (a
    /// panel's place in the buffer depends only on its columns, so the buffer is the one a single PackB call writes).
    /// </summary>
    private void PackSplit(WorkerPool pool, int threads, in GemmSlice<T> slice, int nr, T* dst)
    {
        int panels = (slice.Nc + nr - 1) / nr;
        _packPanels = (panels + threads - 1) / threads;
        _packSlice = slice;
        _packDst = dst;
        _packPhase = true;
        try
        {
            pool.Run((panels + _packPanels - 1) / _packPanels, this);
        }
        finally
        {
            _packPhase = false;
            _packDst = null;
        }
    }

    /// <summary>The slice after <paramref name="s"/> in the driver's order: k slices within a column block, then the next block.</summary>
    private GemmSlice<T> NextSlice(in GemmOperands<T> op, in GemmSlice<T> s, bool first)
    {
        int jc = first ? 0 : s.Jc, pc = first ? 0 : s.Pc + s.Kc;
        if (pc >= op.K)
        {
            jc += _blocking.NC;
            pc = 0;
        }
        return GemmSlice<T>.Create(op, jc, Math.Min(_blocking.NC, op.N - jc), pc, _blocking.Slice(op.K, pc), panelByPanel: false);
    }

    /// <summary>The calling thread's second B buffer for <see cref="RunSharedSlices"/>, allocated once (pinned) and reused.</summary>
    private T* SpareB(int elements)
    {
        if (_spare is null || _spare.Length < elements + 64 / sizeof(T))
            _spare = GC.AllocateUninitializedArray<T>(elements + 64 / sizeof(T), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_spare));
        return (T*)((address + 63) & ~(nint)63);
    }

    private static GemmOperands<T> View(in GemmOperands<T> op, GemmPlan.Part part)
    {
        var columns = part.ColumnStart == 0 && part.ColumnEnd == op.N ? op : op.Columns(part.ColumnStart, part.ColumnEnd);
        return part.Kind == GemmPlan.Kind.TransposedTiles ? columns.Transposed() : columns;
    }

    public void Execute(int index)
    {
        if (_packPhase)
        {
            int nr = Gemm.TileColumns<T>(_isa), j = index * _packPanels * nr;
            Gemm.PackB(_first, _packSlice.Pc, _packSlice.Kc, _packSlice.Jc + j, Math.Min(_packPanels * nr, _packSlice.Nc - j), nr, _packDst + (nint)j * _packSlice.Kc);
            return;
        }
        if (_sharedPhase)
        {
            if (_nextB is not null && index-- == 0)
                Gemm.PackB(_first, _nextSlice.Pc, _nextSlice.Kc, _nextSlice.Jc, _nextSlice.Nc, Gemm.TileColumns<T>(_isa), _nextB);
            else
                ExecuteRowBlock(index);
            return;
        }
        index += _groupOffset;
        bool first = index < _plan.First.Groups;
        var part = first ? _plan.First : _plan.Second;
        ref readonly var op = ref first ? ref _first : ref _second;
        int g = first ? index : index - _plan.First.Groups;
        int i0 = 0, i1 = op.M, j0 = 0, j1 = op.N;
        if (part.SplitRows)
        {
            i0 = g * part.GroupSize;
            i1 = Math.Min(op.M, i0 + part.GroupSize);
        }
        else
        {
            j0 = g * part.GroupSize;
            j1 = Math.Min(op.N, j0 + part.GroupSize);
        }
        if (i0 >= i1 || j0 >= j1) return;
        if (part.Kind == GemmPlan.Kind.Dots)
        {
            switch (_isa)
            {
                case GemmIsa.Avx512: Gemm.Dots<T, Vector512<T>, Simd512<T>>(op, i0, i1); break;
                case GemmIsa.Avx2: Gemm.Dots<T, Vector256<T>, Simd256<T>>(op, i0, i1); break;
                case GemmIsa.Vector128: Gemm.Dots<T, Vector128<T>, Simd128<T>>(op, i0, i1); break;
                default: Gemm.Dots<T, Vector<T>, SimdPortable<T>>(op, i0, i1); break;
            }
            return;
        }
        switch (_isa)
        {
            case GemmIsa.Avx512:
                Gemm.Block<T, Vector512<T>, Simd512<T>>(op, _blocking, i0, i1, j0, j1);
                break;
            case GemmIsa.Avx2:
                Gemm.Block<T, Vector256<T>, Simd256<T>>(op, _blocking, i0, i1, j0, j1);
                break;
            case GemmIsa.Vector128:
                Gemm.Block<T, Vector128<T>, Simd128<T>>(op, _blocking, i0, i1, j0, j1);
                break;
            default:
                Gemm.Block<T, Vector<T>, SimdPortable<T>>(op, _blocking, i0, i1, j0, j1);
                break;
        }
    }

    private void ExecuteRowBlock(int index)
    {
        int ic = index * _rowBlock, mc = Math.Min(_rowBlock, _first.M - ic);
        var ws = GemmWorkspaceView<T>.ForThisThread(_blocking, Gemm.TileColumns<T>(_isa));
        switch (_isa)
        {
            case GemmIsa.Avx512:
                Gemm.RowBlock<T, Vector512<T>, Simd512<T>>(_first, _slice, ic, mc, ws.A, _sharedB, ws.Tile);
                break;
            case GemmIsa.Avx2:
                Gemm.RowBlock<T, Vector256<T>, Simd256<T>>(_first, _slice, ic, mc, ws.A, _sharedB, ws.Tile);
                break;
            case GemmIsa.Vector128:
                Gemm.RowBlock<T, Vector128<T>, Simd128<T>>(_first, _slice, ic, mc, ws.A, _sharedB, ws.Tile);
                break;
            default:
                Gemm.RowBlock<T, Vector<T>, SimdPortable<T>>(_first, _slice, ic, mc, ws.A, _sharedB, ws.Tile);
                break;
        }
    }
}
