namespace SeqLearn.Kernels;

/// <summary>
/// Elementwise passes over long spans, split into fixed chunks of <see cref="ChunkSize"/> elements on a
/// <see cref="WorkerPool"/>. Each element gets the same <see cref="TensorPrimitives"/> operation it gets on one
/// thread, so the result is bit-identical on any pool. Spans shorter than <see cref="MinParallel"/>, a null pool
/// and a one-thread pool run on the caller. Span-in / span-out, destination last, no allocation (one reusable job
/// per calling thread).
/// </summary>
internal static unsafe class ParallelElementwise
{
    /// <summary>Elements per work item: 128 KiB of floats.</summary>
    public const int ChunkSize = 1 << 15;

    /// <summary>Below this many elements a pass runs on the caller: waking a worker costs more than it saves.</summary>
    public const int MinParallel = 1 << 16;

    /// <summary>dst[i] = x[i] · y[i].</summary>
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Run(ElementwiseJob<T>.Op.Multiply, x, y, dst, dst, pool);

    /// <summary>dst[i] = x[i] · y[i] + z[i] (a separate multiply and add, as <see cref="TensorPrimitives.MultiplyAdd{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>).</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> dst, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Run(ElementwiseJob<T>.Op.MultiplyAdd, x, y, z, dst, pool);

    /// <summary>One pass of <paramref name="op"/> (x, y, z are read only by the ops that name them), on the caller or in chunks on the pool.</summary>
    private static void Run<T>(ElementwiseJob<T>.Op op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> dst, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Length != dst.Length || y.Length != dst.Length || z.Length != dst.Length)
            throw new ArgumentException($"ParallelElementwise.{op}: the spans have lengths {x.Length}, {y.Length}{(op == ElementwiseJob<T>.Op.MultiplyAdd ? $", {z.Length}" : "")} and destination {dst.Length}; they must be equal.");
        if (!Parallel(pool, dst.Length))
        {
            ElementwiseJob<T>.Apply(op, x, y, z, dst);
            return;
        }
        fixed (T* px = x, py = y, pz = z, pd = dst)
            ElementwiseJob<T>.ForThisThread().Run(pool!, op, px, py, pz, pd, dst.Length);
    }

    private static bool Parallel(WorkerPool? pool, int length) => pool is { Threads: > 1 } && length >= MinParallel;
}

/// <summary>The <see cref="IParallelWork"/> of one <see cref="ParallelElementwise"/> pass: item i is chunk i.</summary>
internal sealed unsafe class ElementwiseJob<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    internal enum Op { Multiply, MultiplyAdd }

    [ThreadStatic] private static ElementwiseJob<T>? s_current;

    private Op _op;
    private T* _x, _y, _z, _dst;
    private int _length;

    public static ElementwiseJob<T> ForThisThread() => s_current ??= new ElementwiseJob<T>();

    public void Run(WorkerPool pool, Op op, T* x, T* y, T* z, T* dst, int length)
    {
        _op = op;
        _length = length;
        _x = x; _y = y; _z = z; _dst = dst;
        try
        {
            pool.Run((length + ParallelElementwise.ChunkSize - 1) / ParallelElementwise.ChunkSize, this);
        }
        finally
        {
            _x = _y = _z = _dst = null;    // the caller's memory is pinned only for this call
        }
    }

    public void Execute(int index)
    {
        int start = index * ParallelElementwise.ChunkSize, n = Math.Min(ParallelElementwise.ChunkSize, _length - start);
        Apply(_op, new ReadOnlySpan<T>(_x + start, n), new ReadOnlySpan<T>(_y + start, n), new ReadOnlySpan<T>(_z + start, n), new Span<T>(_dst + start, n));
    }

    /// <summary>The pass itself, on whole spans.</summary>
    internal static void Apply(Op op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> dst)
    {
        switch (op)
        {
            case Op.Multiply: TensorPrimitives.Multiply(x, y, dst); break;
            default: TensorPrimitives.MultiplyAdd(x, y, z, dst); break;
        }
    }
}
