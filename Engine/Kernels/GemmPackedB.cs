using System.Buffers;
using SeqLearn.Tensors;

namespace SeqLearn.Kernels;

/// <summary>
/// The B operand of a GEMM packed once, to be multiplied many times: op(B) (k, n) laid out exactly as the
/// packed driver lays out each (KC, NC) slice before it calls the micro-kernel (docs/kernels.md §5.3–5.4), so
/// <see cref="Gemm.Compute{T}(bool, int, T, ReadOnlySpan{T}, int, GemmPackedB{T}, T, Span{T}, int, WorkerPool?)"/>
/// skips all packing of B. A recurrent layer multiplies the same W_hhᵀ by a new h at every time step: packed
/// once per call, the weights are read as ready-made panels instead of being re-packed T times.
/// </summary>
/// <remarks>
/// <para>Layout, for NR = <see cref="Nr"/> columns per panel: column block jb (columns jb·NC …, padded to a
/// multiple of NR) starts at <c>jb · RoundUp(NC, NR) · k</c>; inside it the k slice starting at pc starts at
/// <c>pc · RoundUp(nc, NR)</c> and holds its panels one after the other, panel t as kc rows of NR values
/// (<c>t·NR·kc + p·NR + j</c>), zeros past column n. The slices are <see cref="GemmBlocking.Slice"/>'s, which
/// depend only on k, so a product with packed B adds the same terms in the same order as one without.</para>
/// <para>When the unpacked GEMM would compute the last n mod NR columns as dot products (<see cref="GemmPlan"/>),
/// those columns are also kept as <see cref="TailRows"/> rows (rest, k), the form <see cref="Gemm.Dots"/> reads.
/// The result is bit-identical to <c>Gemm.Compute</c> on the original B, for any pool.</para>
/// <para>The memory comes from <see cref="ArrayPool{T}.Shared"/> (a 4 MB weight matrix packed once per training
/// step would otherwise be a fresh large-object allocation each time); <see cref="Dispose"/> gives it back.
/// Packing copies the values: changing B afterwards does not change the packed operand. It is read-only after
/// <see cref="Create(bool, int, int, ReadOnlySpan{T}, int)"/>, so several threads may multiply with it at once.</para>
/// </remarks>
internal sealed class GemmPackedB<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _panels, _tail;
    private bool _disposed;

    private GemmPackedB(GemmIsa? isa, GemmBlocking blocking, int k, int n, int nr, int tailColumns, T[] panels, T[] tail)
    {
        (Isa, Blocking, K, N, Nr, TailColumns, _panels, _tail) = (isa, blocking, k, n, nr, tailColumns, panels, tail);
    }

    /// <summary>Rows of op(B): the inner dimension k of the products it takes part in.</summary>
    public int K { get; }

    /// <summary>Columns of op(B) and of C.</summary>
    public int N { get; }

    /// <summary>The vector path the panels were laid out for; null when the reference loops are used (then <see cref="Panels"/> is op(B) row-major).</summary>
    internal GemmIsa? Isa { get; }

    internal GemmBlocking Blocking { get; }

    /// <summary>Columns per packed panel (the micro-tile width of <see cref="Isa"/>).</summary>
    internal int Nr { get; }

    /// <summary>The last columns that go through dot products when op(A) is row-major (0 when none).</summary>
    internal int TailColumns { get; }

    internal T[] Panels => _disposed ? throw new ObjectDisposedException(nameof(GemmPackedB<T>)) : _panels;

    /// <summary>(TailColumns, K): the dot-product columns of op(B), one row each.</summary>
    internal T[] TailRows => _tail;

    /// <summary>
    /// Packs op(B), which is (k, n): B is stored (k, n) with row stride <paramref name="ldb"/>, or (n, k) when
    /// <paramref name="transB"/> (the layers' weights W (out, in), used as Wᵀ).
    /// </summary>
    public static GemmPackedB<T> Create(bool transB, int k, int n, ReadOnlySpan<T> b, int ldb) =>
        Create(KernelPath.Default.GemmFor<T>(), GemmBlocking.For<T>(), transB, k, n, b, ldb);

    /// <summary><see cref="Create(bool, int, int, ReadOnlySpan{T}, int)"/> for a chosen vector path and blocking (tests).</summary>
    internal static unsafe GemmPackedB<T> Create(GemmIsa? isa, GemmBlocking blk, bool transB, int k, int n, ReadOnlySpan<T> b, int ldb)
    {
        int nr = isa is null ? 0 : Gemm.TileColumns<T>(isa.Value);
        int elements = PanelElements(blk, nr, k, n);   // before B is read: the size follows from k and n alone
        Gemm.Validate(false, transB, 0, n, k, 0, 0, b.Length, ldb, 0, n);
        if (isa is null)
        {
            // Reference path: op(B) as a dense row-major (k, n) copy.
            var dense = Rent(elements);
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++)
                    dense[p * n + j] = transB ? b[j * ldb + p] : b[p * ldb + j];
            return new GemmPackedB<T>(null, blk, k, n, 0, 0, dense, []);
        }
        int rest = n % nr;
        int tailColumns = rest != 0 && 2 * rest < nr ? rest : 0; // GemmPlan's dot-product rule (for an op(A) with unit column stride)
        var panels = Rent(elements);
        var tail = Rent(tailColumns * k);
        fixed (T* pb = b)
        fixed (T* dst = panels)
        {
            var op = GemmOperands<T>.RowMajor(false, transB, 0, n, k, T.One, null, 1, pb, ldb, T.Zero, null, n);
            for (int jc = 0; jc < n; jc += blk.NC)
            {
                int nc = Math.Min(blk.NC, n - jc);
                for (int pc = 0, kc; pc < k; pc += kc)
                {
                    kc = blk.Slice(k, pc);
                    Gemm.PackB(op, pc, kc, jc, nc, nr, dst + SliceOffset(blk, nr, k, jc, nc, pc));
                }
            }
            for (int j = 0; j < tailColumns; j++)
                for (int p = 0; p < k; p++)
                    tail[j * k + p] = pb[p * op.Brs + (n - tailColumns + j) * op.Bcs];
        }
        return new GemmPackedB<T>(isa, blk, k, n, nr, tailColumns, panels, tail);
    }

    /// <summary>Where the packed (kc, nc) slice of column block jc, k slice pc, starts.</summary>
    internal static int SliceOffset(GemmBlocking blk, int nr, int k, int jc, int nc, int pc) =>
        jc / blk.NC * GemmBlocking.RoundUp(blk.NC, nr) * k + pc * GemmBlocking.RoundUp(nc, nr);

    /// <summary>
    /// Values of the packed operand: k · n for the reference path (<paramref name="nr"/> = 0), otherwise k times the
    /// columns of every column block rounded up to whole panels of <paramref name="nr"/> (the last block starts at
    /// <see cref="SliceOffset"/> with pc = 0). Throws when that exceeds <see cref="Array.MaxLength"/>, computed in
    /// 64 bits; the tail rows and every <see cref="SliceOffset"/> are smaller, so they fit in an int once this passes.
    /// Negative sizes give 0 and are left to <see cref="Gemm.Validate"/>.
    /// </summary>
    private static int PanelElements(GemmBlocking blk, int nr, int k, int n)
    {
        if (k < 0 || n < 0) return 0;
        long columns = n;
        if (nr > 0 && n > 0)
        {
            long blocks = (n - 1) / blk.NC, last = n - blocks * blk.NC;
            columns = blocks * ((blk.NC + (long)nr - 1) / nr * nr) + (last + nr - 1) / nr * nr;
        }
        return ShapeUtil.ArrayLength(columns * k, "GemmPackedB",
            $"op(B) of k = {k} rows and n = {n} columns packed in panels of {Math.Max(nr, 1)} columns", "multiply by a smaller B.");
    }

    private static T[] Rent(int length) => length == 0 ? [] : ArrayPool<T>.Shared.Rent(length);

    /// <summary>Gives the packed memory back to the array pool; the operand cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_panels.Length > 0) ArrayPool<T>.Shared.Return(_panels);
        if (_tail.Length > 0) ArrayPool<T>.Shared.Return(_tail);
        _panels = [];
        _tail = [];
        _disposed = true;
    }
}
