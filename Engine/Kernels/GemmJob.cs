using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// The <see cref="IParallelWork"/> of one GEMM. One instance is kept per calling thread and refilled on
/// every call, so running a GEMM on the pool allocates nothing. Two ways to hand out work:
/// <list type="bullet">
/// <item>groups: item i is one group of rows (or columns) of one plan part, computed over all of k;</item>
/// <item>shared slices, for a tall C on several threads: the caller packs each (KC, NC) slice of B once
/// into its workspace, then the items are small blocks of rows that pack their own A and read that shared
/// B. Many small items let a thread that gets the CPU back later take fewer of them (the machine may be
/// shared), without packing B once per thread.</item>
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
    private T* _sharedB;
    private int _rowBlock;

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
        if (_plan.First.Kind != GemmPlan.Kind.Dots && _first.M > 2 * _blocking.MC)
        {
            RunSharedSlices(pool, threads);
            _sharedPhase = false;
            _groupOffset = _plan.First.Groups;
        }
        if (_plan.Items > _groupOffset) pool.Run(_plan.Items - _groupOffset, this);
    }

    /// <summary>The first part slice by slice: B packed once by the caller, rows handed out in small blocks.</summary>
    private void RunSharedSlices(WorkerPool pool, int threads)
    {
        ref readonly var op = ref _first;
        int nr = Gemm.TileColumns<T>(_isa);
        _sharedB = GemmWorkspaceView<T>.ForThisThread(_blocking, nr).B;
        // About four blocks per thread, each a whole number of slivers and at most MC rows.
        _rowBlock = Math.Clamp(GemmBlocking.RoundUp((op.M + 4 * threads - 1) / (4 * threads), Gemm.MR), Gemm.MR, _blocking.MC);
        int blocks = (op.M + _rowBlock - 1) / _rowBlock;
        _sharedPhase = true;
        for (int jc = 0; jc < op.N; jc += _blocking.NC)
        {
            int nc = Math.Min(_blocking.NC, op.N - jc);
            for (int pc = 0, kc; pc < op.K; pc += kc)
            {
                kc = _blocking.Slice(op.K, pc);
                _slice = GemmSlice<T>.Create(op, jc, nc, pc, kc, panelByPanel: false);
                Gemm.PackB(op, pc, kc, jc, nc, nr, _sharedB);
                pool.Run(blocks, this);
            }
        }
    }

    private static GemmOperands<T> View(in GemmOperands<T> op, GemmPlan.Part part)
    {
        var columns = part.ColumnStart == 0 && part.ColumnEnd == op.N ? op : op.Columns(part.ColumnStart, part.ColumnEnd);
        return part.Kind == GemmPlan.Kind.TransposedTiles ? columns.Transposed() : columns;
    }

    public void Execute(int index)
    {
        if (_sharedPhase)
        {
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
            default:
                Gemm.RowBlock<T, Vector<T>, SimdPortable<T>>(_first, _slice, ic, mc, ws.A, _sharedB, ws.Tile);
                break;
        }
    }
}
