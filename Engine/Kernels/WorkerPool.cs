using System.Diagnostics;

namespace SeqLearn.Kernels;

/// <summary>One unit of parallel work: <see cref="Execute"/> is called once for each index in [0, count).</summary>
public interface IParallelWork
{
    /// <summary>Runs work item <paramref name="index"/>. Must not depend on which thread runs it.</summary>
    void Execute(int index);
}

/// <summary>
/// A fixed set of worker threads created once and reused for every parallel loop (no per-call thread
/// creation, no allocation per <see cref="Run"/>). Pass it explicitly to the kernels that may use it;
/// <c>null</c> means "run on the caller".
/// Work items are handed out dynamically, so results stay deterministic only when each item writes its
/// own disjoint output and computes it in a fixed order — which is how every SeqLearn kernel uses it.
/// </summary>
/// <remarks>
/// Wake-up: idle workers (and the caller waiting for them) spin for up to <see cref="SpinMicroseconds"/> before
/// they block, so a loop that follows another one closely starts without a kernel round trip, while an idle pool
/// costs no CPU after that. The bound is a time, not a count of <see cref="SpinWait"/> rounds: on a virtual machine
/// waking a blocked thread whose virtual CPU has halted took 10–500 µs (docs/kernels.md §5.6), longer than a whole
/// per-step GEMM of an RNN, and 40 rounds of <see cref="SpinWait.SpinOnce(int)"/> lasted only a few µs there.
/// A <see cref="Run"/> issued from inside a work item runs inline on that thread (no deadlock), and
/// concurrent <see cref="Run"/> calls from different threads take turns.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long an idle thread spins, checking for work between single pause instructions, before it blocks.</summary>
    internal const int SpinMicroseconds = 200;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    [ThreadStatic] private static WorkerPool? t_runningIn;

    private readonly Thread[] _threads;
    private readonly object _runGate = new();   // one Run at a time
    private readonly object _wakeGate = new();  // workers sleep here between loops
    private readonly object _doneGate = new();  // the caller sleeps here until the loop is done
    private IParallelWork? _work;
    private int _count;
    private long _cursor;       // (run << 32) | items not yet claimed: a claim succeeds only for the run it was made in
    private int _unfinished;    // items of the current run not yet finished (executed or skipped)
    private long _generation;   // the current run's number; workers wake when it changes
    private volatile bool _disposed;
    private Exception? _error;

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
    /// <exception cref="AggregateException">A work item threw; the first exception is inside. The remaining items are skipped.</exception>
    public void Run(int count, IParallelWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (Threads == 1 || count == 1 || t_runningIn == this)
        {
            for (int i = 0; i < count; i++) work.Execute(i);
            return;
        }
        lock (_runGate)
        {
            long run = (_generation + 1) & int.MaxValue;
            _work = work;
            _count = count;
            _error = null;
            _unfinished = count;
            Volatile.Write(ref _cursor, run << 32 | (uint)count);
            Interlocked.Exchange(ref _generation, run); // full fence: the fields above are visible first
            lock (_wakeGate) Monitor.PulseAll(_wakeGate);
            Drain(run);
            WaitUntilDone();
            _work = null;
            if (_error is { } e) throw new AggregateException("WorkerPool: a work item failed.", e);
        }
    }

    /// <summary>
    /// Claims and runs items of run <paramref name="run"/> until none is left. The caller then waits only for the
    /// items other threads are still running, never for a worker that has not shown up: a worker descheduled by
    /// the OS (another process on its core) does not hold the loop, and when it wakes its claim for a finished
    /// run fails. While a claimed item is running its run cannot finish, so <see cref="_work"/> and
    /// <see cref="_count"/> are that run's.
    /// </summary>
    private void Drain(long run)
    {
        var outer = t_runningIn;
        t_runningIn = this;
        try
        {
            while (TryClaim(run, out int unclaimed))
            {
                try
                {
                    _work!.Execute(_count - unclaimed);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                    Finish(1 + TakeAll(run));   // this item and every unclaimed one are skipped
                    continue;
                }
                Finish(1);
            }
        }
        finally
        {
            t_runningIn = outer;
        }
    }

    /// <summary>Takes one unclaimed item of <paramref name="run"/>; false when the run is another or has none left.</summary>
    private bool TryClaim(long run, out int unclaimed)
    {
        while (true)
        {
            long cursor = Volatile.Read(ref _cursor);
            unclaimed = (int)(uint)cursor;
            if (cursor >> 32 != run || unclaimed == 0) return false;
            if (Interlocked.CompareExchange(ref _cursor, cursor - 1, cursor) == cursor) return true;
        }
    }

    /// <summary>Takes every unclaimed item of <paramref name="run"/> (after a failure) and returns how many.</summary>
    private int TakeAll(long run)
    {
        while (true)
        {
            long cursor = Volatile.Read(ref _cursor);
            int unclaimed = (int)(uint)cursor;
            if (cursor >> 32 != run || unclaimed == 0) return 0;
            if (Interlocked.CompareExchange(ref _cursor, run << 32, cursor) == cursor) return unclaimed;
        }
    }

    private void Finish(int items)
    {
        if (Interlocked.Add(ref _unfinished, -items) == 0)
            lock (_doneGate) Monitor.PulseAll(_doneGate);
    }

    private void WaitUntilDone()
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref _unfinished) != 0 && Stopwatch.GetTimestamp() < deadline) Thread.SpinWait(1);
        lock (_doneGate)
            while (Volatile.Read(ref _unfinished) != 0) Monitor.Wait(_doneGate);
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            while (Volatile.Read(ref _generation) == seen && !_disposed && Stopwatch.GetTimestamp() < deadline)
                Thread.SpinWait(1);
            lock (_wakeGate)
                while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_wakeGate);
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            Drain(seen);
        }
    }

    /// <summary>Stops the worker threads and waits for them to exit.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_wakeGate) Monitor.PulseAll(_wakeGate);
        foreach (var t in _threads) t.Join();
    }
}
