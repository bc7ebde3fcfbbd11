namespace SeqLearn.Kernels;

/// <summary>One unit of parallel work: <see cref="Execute"/> is called once for each index in [0, count).</summary>
public interface IParallelWork
{
    /// <summary>Runs work item <paramref name="index"/>. Must not depend on which thread runs it.</summary>
    void Execute(int index);
}

/// <summary>
/// A fixed set of worker threads created once and reused for every parallel loop (no per-call thread
/// creation). Pass it explicitly to the kernels that may use it; <c>null</c> means "run on the caller".
/// Work items are handed out dynamically, so results stay deterministic only when each item writes its
/// own disjoint output and computes it in a fixed order — which is how every SeqLearn kernel uses it.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelWork? _work;
    private int _count;
    private int _next;
    private int _pending;
    private long _generation;
    private bool _disposed;
    private Exception? _error;
    private readonly ManualResetEventSlim _done = new(false);

    /// <summary>Creates a pool that runs loops on <paramref name="threads"/> threads in total (the caller counts as one).</summary>
    public WorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "WorkerPool: at least one thread is needed.");
        Threads = threads;
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"SeqLearn worker {i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Total threads a loop runs on, including the calling thread.</summary>
    public int Threads { get; }

    /// <summary>Runs <c>work.Execute(i)</c> for every i in [0, count) and returns when all are done.</summary>
    public void Run(int count, IParallelWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (Threads == 1 || count == 1)
        {
            for (int i = 0; i < count; i++) work.Execute(i);
            return;
        }
        lock (_gate)
        {
            _work = work;
            _count = count;
            _next = 0;
            _error = null;
            _pending = _threads.Length + 1;
            _done.Reset();
            _generation++;
            Monitor.PulseAll(_gate);
        }
        Drain();
        _done.Wait();
        _work = null;
        if (_error is { } e) throw new AggregateException("WorkerPool: a work item failed.", e);
    }

    private void Drain()
    {
        var work = _work!;
        try
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < _count) work.Execute(i);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
            Interlocked.Exchange(ref _next, _count);
        }
        if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            lock (_gate)
            {
                while (_generation == seen && !_disposed) Monitor.Wait(_gate);
                if (_disposed) return;
                seen = _generation;
            }
            Drain();
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _done.Dispose();
    }
}
