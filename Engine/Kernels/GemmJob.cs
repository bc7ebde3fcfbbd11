using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// The <see cref="IParallelWork"/> of one GEMM. One instance is kept per calling thread and refilled on
/// every call, so running a GEMM on the pool allocates nothing. Item i is one group of rows (or columns) of
/// one plan part (<see cref="GemmPlan"/>), computed over all of k with its own packing: each tile of C is
/// computed by one item, over the same k slices in the same order, whatever the thread count.
/// </summary>
internal sealed unsafe class GemmJob<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmJob<T>? s_current;

    private GemmIsa _isa;
    private GemmBlocking _blocking;
    private GemmPlan _plan;
    private GemmOperands<T> _first, _second;

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
    }

    /// <summary>Runs the whole plan: on the caller alone, or on <paramref name="pool"/>.</summary>
    public void Run(WorkerPool? pool, int threads)
    {
        if (pool is null || threads == 1)
            for (int i = 0; i < _plan.Items; i++) Execute(i);
        else
            pool.Run(_plan.Items, this);
    }

    private static GemmOperands<T> View(in GemmOperands<T> op, GemmPlan.Part part)
    {
        var columns = part.ColumnStart == 0 && part.ColumnEnd == op.N ? op : op.Columns(part.ColumnStart, part.ColumnEnd);
        return part.Kind == GemmPlan.Kind.TransposedTiles ? columns.Transposed() : columns;
    }

    public void Execute(int index)
    {
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
        if (op.Ccs != 1 && op.K > _blocking.MaxKC && (long)(i1 - i0) * (j1 - j0) <= DenseBlockMaxElements)
        {
            DenseBlock(op, i0, i1, j0, j1);
            return;
        }
        Block(op, i0, i1, j0, j1);
    }

    /// <summary>Largest block of a transposed C (elements) that <see cref="DenseBlock"/> accumulates in a dense copy (4 MiB of float).</summary>
    internal const int DenseBlockMaxElements = 1 << 20;

    /// <summary>
    /// A block of a C stored transposed (the <see cref="GemmPlan.Kind.TransposedTiles"/> parts) when k takes several
    /// slices: its tiles accumulate in a dense row-major copy of the block, gathered from C once (unless β = 0) and written
    /// back once, instead of each tile being copied in and out of C through strided loops at every k slice. The copy
    /// holds exactly the values C would hold between slices, so the result is bit for bit the same.
    /// </summary>
    private void DenseBlock(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int rows = i1 - i0, cols = j1 - j0;
        T* d = GemmWorkspace.GetBlock<T>(rows * cols);
        if (op.Beta != T.Zero)
            for (int j = 0; j < cols; j++)
                for (int i = 0; i < rows; i++) d[i * cols + j] = op.C[(i0 + i) * op.Crs + (j0 + j) * op.Ccs];
        var dense = new GemmOperands<T>(op.A, op.Ars, op.Acs, op.B, op.Brs, op.Bcs, d - ((nint)i0 * cols + j0), cols, 1, op.M, op.N, op.K, op.Alpha, op.Beta);
        Block(dense, i0, i1, j0, j1);
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++) op.C[(i0 + i) * op.Crs + (j0 + j) * op.Ccs] = d[i * cols + j];
    }

    private void Block(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
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
}
