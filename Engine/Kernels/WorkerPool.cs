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
/// Work items may run on any thread, so results stay deterministic only when each item writes its
/// own disjoint output and computes it in a fixed order — which is how every SeqLearn kernel uses it.
/// </summary>
/// <remarks>
/// Items are dealt out in <b>home ranges</b>: with P threads, thread p (the caller is 0) owns items
/// [p·n/P, (p+1)·n/P) and claims them front to back from its own cursor; a thread whose range is empty takes the
/// next unclaimed items of the other ranges. So a loop costs one claim per item on a cache line the thread
/// already owns, plus one shared counter update per thread, and in back-to-back loops over the same data (a
/// recurrent step's weight rows) each thread usually gets the same items, whose data are still in its own core's
/// caches. With one shared cursor every claim moved a cache line between the cores, and an empty 8-item
/// <c>Run</c> cost twice as much (docs/kernels.md §5.6).
///
/// Wake-up: idle workers (and the caller waiting for them) spin for up to <see cref="SpinMicroseconds"/> before
/// they block, so a loop that follows another one closely starts without a kernel round trip, while an idle pool
/// costs no CPU after that. The bound is a time, not a count of <see cref="SpinWait"/> rounds: on a virtual machine
/// waking a blocked thread whose virtual CPU has halted took 10–500 µs (docs/kernels.md §5.6), longer than a whole
/// per-step GEMM of an RNN, and 40 rounds of <see cref="SpinWait.SpinOnce(int)"/> lasted only a few µs there.
/// A monitor is pulsed only when a thread is blocked on it.
/// A <see cref="Run"/> issued from inside a work item runs inline on that thread (no deadlock), also when it comes
/// through another pool (an item of A runs B.Run, whose item, on any of B's threads, runs A.Run: A's run cannot end
/// before that item does, so waiting for A's gate would never end), and
/// concurrent <see cref="Run"/> calls from different threads take turns.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long an idle thread spins, checking for work between single pause instructions, before it blocks.</summary>
    internal const int SpinMicroseconds = 200;

    /// <summary>longs between two range cursors: 128 bytes, so no two cursors share a cache line (or an adjacent-line prefetch pair).</summary>
    private const int CursorStride = 16;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    [ThreadStatic] private static WorkerPool? t_runningIn;

    private readonly Thread[] _threads;
    private readonly object _runGate = new();   // one Run at a time
    private readonly object _wakeGate = new();  // workers sleep here between loops
    private readonly object _doneGate = new();  // the caller sleeps here until the loop is done
    private readonly long[] _cursors;           // [p · CursorStride]: (run << 32) | items of range p not yet claimed
    private IParallelWork? _work;
    private int _count;
    private int _unfinished;    // items of the current run not yet finished (executed or skipped)
    private long _generation;   // the current run's number; workers wake when it changes
    private int _sleepers;      // workers blocked on _wakeGate (or about to block)
    private int _callerBlocked; // 1 while the caller is blocked on _doneGate (or about to block)
    private volatile bool _disposed;
    private Exception? _error;
    private WorkerPool? _enclosing; // while a run is on: the pool whose work item issued it (its caller's t_runningIn), else null

    /// <summary>
    /// The most threads a pool runs (1,024): each is a spinning worker with its own cursor, so a pool far wider than the
    /// machine only adds contention, and an unchecked count would start that many threads.
    /// </summary>
    public const int MaxThreads = 1024;

    /// <summary>Creates a pool that runs loops on <paramref name="threads"/> threads in total (the caller counts as one), 1 … <see cref="MaxThreads"/>.</summary>
    public WorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "WorkerPool: at least one thread is needed.");
        if (threads > MaxThreads) throw new ArgumentOutOfRangeException(nameof(threads), threads, $"WorkerPool: at most {MaxThreads} threads.");
        Threads = threads;
        _cursors = new long[(threads + 1) * CursorStride];
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int home = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(home)) { IsBackground = true, Name = $"SeqLearn worker {home}" };
            _threads[i].Start();
        }
    }

    /// <summary>Total threads a loop runs on, including the calling thread.</summary>
    public int Threads { get; }

    /// <summary>Runs <c>work.Execute(i)</c> for every i in [0, count) and returns when all are done (count = 0: nothing to run).</summary>
    /// <remarks>
    /// A work item that throws ends the loop: the remaining items are skipped and the first exception an item threw is
    /// rethrown on the caller with its own type and stack trace, whether the items ran inline (one thread, one item, or a
    /// <c>Run</c> from inside a work item) or on the pool's threads, so a caller handles the same exception either way.
    /// </remarks>
    public void Run(int count, IParallelWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "WorkerPool.Run: the count of work items cannot be negative.");
        if (count == 0) return;
        if (Threads == 1 || count == 1 || InsideOwnWorkItem())
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
            _enclosing = t_runningIn;
            _unfinished = count;
            for (int p = 0; p < Threads; p++) Volatile.Write(ref _cursors[(p + 1) * CursorStride], run << 32 | (uint)RangeLength(p, count));
            Interlocked.Exchange(ref _generation, run); // full fence: the fields above are visible first
            if (Volatile.Read(ref _sleepers) != 0)
                lock (_wakeGate) Monitor.PulseAll(_wakeGate);
            Drain(run, home: 0);
            WaitUntilDone();
            (_work, _enclosing) = (null, null);
            if (_error is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        }
    }

    /// <summary>
    /// Whether this thread is inside a work item of this pool's current run: running one itself (<see cref="t_runningIn"/>),
    /// or one of another pool's run that was issued, directly or through further pools, from inside one
    /// (<see cref="_enclosing"/> leads from a run to the pool whose item issued it). Each pool on that chain has a run in
    /// progress that cannot end before this thread's item does, so its <see cref="_enclosing"/> stays put while it is read.
    /// </summary>
    private bool InsideOwnWorkItem()
    {
        for (var p = t_runningIn; p is not null; p = p._enclosing)
            if (p == this) return true;
        return false;
    }

    /// <summary>First item of thread <paramref name="p"/>'s home range of a loop of <paramref name="count"/> items.</summary>
    private int RangeStart(int p, int count) => (int)((long)p * count / Threads);

    private int RangeLength(int p, int count) => RangeStart(p + 1, count) - RangeStart(p, count);

    /// <summary>
    /// Claims and runs items of run <paramref name="run"/>, its home range first, then the other ranges in turn,
    /// until none is left; then reports them finished. The caller thus waits only for the items other threads are
    /// still running, never for a worker that has not shown up: a worker descheduled by the OS (another process on
    /// its core) does not hold the loop, and when it wakes its claims for a finished run fail. While a claimed item
    /// is unfinished its run cannot finish, so <see cref="_work"/> and <see cref="_count"/> are that run's.
    /// </summary>
    private void Drain(long run, int home)
    {
        var outer = t_runningIn;
        t_runningIn = this;
        int finished = 0;
        try
        {
            for (int k = 0; k < Threads; k++)
            {
                int p = (home + k) % Threads;
                while (TryClaim(run, p, out int unclaimed))
                {
                    int count = _count;
                    int index = RangeStart(p, count) + RangeLength(p, count) - unclaimed;
                    try
                    {
                        _work!.Execute(index);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref _error, e, null);
                        finished += TakeAll(run);   // every unclaimed item is skipped
                    }
                    finished++;
                }
            }
        }
        finally
        {
            t_runningIn = outer;
            if (finished > 0) Finish(finished);
        }
    }

    /// <summary>Takes one unclaimed item of range <paramref name="p"/> of <paramref name="run"/>; false when the run is another or the range is empty.</summary>
    private bool TryClaim(long run, int p, out int unclaimed)
    {
        ref long cursor = ref _cursors[(p + 1) * CursorStride];
        while (true)
        {
            long c = Volatile.Read(ref cursor);
            unclaimed = (int)(uint)c;
            if (c >> 32 != run || unclaimed == 0) return false;
            if (Interlocked.CompareExchange(ref cursor, c - 1, c) == c) return true;
        }
    }

    /// <summary>Takes every unclaimed item of <paramref name="run"/> in every range (after a failure) and returns how many.</summary>
    private int TakeAll(long run)
    {
        int taken = 0;
        for (int p = 0; p < Threads; p++)
        {
            ref long cursor = ref _cursors[(p + 1) * CursorStride];
            while (true)
            {
                long c = Volatile.Read(ref cursor);
                int unclaimed = (int)(uint)c;
                if (c >> 32 != run || unclaimed == 0) break;
                if (Interlocked.CompareExchange(ref cursor, run << 32, c) == c) { taken += unclaimed; break; }
            }
        }
        return taken;
    }

    /// <summary>
    /// Marks <paramref name="items"/> finished. The interlocked update and the caller's (in <see cref="WaitUntilDone"/>)
    /// are both full fences, so either the caller sees the count reach 0 or this thread sees it blocked and pulses it.
    /// </summary>
    private void Finish(int items)
    {
        if (Interlocked.Add(ref _unfinished, -items) == 0 && Volatile.Read(ref _callerBlocked) != 0)
            lock (_doneGate) Monitor.PulseAll(_doneGate);
    }

    private void WaitUntilDone()
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref _unfinished) != 0 && Stopwatch.GetTimestamp() < deadline) Thread.SpinWait(1);
        if (Volatile.Read(ref _unfinished) == 0) return;
        lock (_doneGate)
        {
            Interlocked.Exchange(ref _callerBlocked, 1);
            while (Volatile.Read(ref _unfinished) != 0) Monitor.Wait(_doneGate);
            Volatile.Write(ref _callerBlocked, 0);
        }
    }

    private void WorkerLoop(int home)
    {
        long seen = 0;
        while (true)
        {
            long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            while (Volatile.Read(ref _generation) == seen && !_disposed && Stopwatch.GetTimestamp() < deadline)
                Thread.SpinWait(1);
            if (Volatile.Read(ref _generation) == seen && !_disposed)
            {
                lock (_wakeGate)
                {
                    Interlocked.Increment(ref _sleepers);   // full fence: Run sees the sleeper, or this thread sees the new run
                    while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_wakeGate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            Drain(seen, home);
        }
    }

    /// <summary>
    /// Stops the worker threads and waits for them to exit. Throws <see cref="InvalidOperationException"/> when called
    /// from inside a work item of this pool (also through another pool's run issued from one) or on one of its worker
    /// threads: the call would wait for a thread that cannot exit before the call returns.
    /// </summary>
    public void Dispose()
    {
        if (InsideOwnWorkItem() || Array.IndexOf(_threads, Thread.CurrentThread) >= 0)
            throw new InvalidOperationException("WorkerPool.Dispose: called from inside one of the pool's work items; it would wait for its own thread " +
                "(or for the run that thread belongs to) to exit. Dispose the pool after Run returns.");
        if (_disposed) return;
        _disposed = true;
        lock (_wakeGate) Monitor.PulseAll(_wakeGate);
        foreach (var t in _threads) t.Join();
    }
}
