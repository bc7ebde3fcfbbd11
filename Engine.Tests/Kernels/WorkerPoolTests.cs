using SeqLearn.Kernels;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

public sealed class WorkerPoolTests
{
    private sealed class CountingWork(int count) : IParallelWork
    {
        public readonly int[] Hits = new int[count];
        public void Execute(int index) => Interlocked.Increment(ref Hits[index]);
    }

    private sealed class ThrowingWork(int bad) : IParallelWork
    {
        // Not inlined into the pool's loop (guarded devirtualization may do that once the class is hot), so the rethrown
        // exception's stack keeps this frame, which a test looks for.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public void Execute(int index)
        {
            if (index == bad) throw new InvalidOperationException($"item {index} failed");
        }
    }

    private sealed class NestedWork(WorkerPool pool) : IParallelWork
    {
        public readonly CountingWork Inner = new(8 * 5);
        public void Execute(int index) => pool.Run(5, new OffsetWork(Inner, index * 5));
    }

    private sealed class OffsetWork(CountingWork target, int offset) : IParallelWork
    {
        public void Execute(int index) => target.Execute(offset + index);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Run_ManyLoops_RunsEveryIndexExactlyOnce(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int count = 0; count < 200; count += 7)
        {
            var work = new CountingWork(count);
            pool.Run(count, work);
            Assert.All(work.Hits, h => Assert.Equal(1, h));
        }
    }

    /// <summary>Items that outlast the spin window (the caller blocks) and idle gaps that outlast it (the workers block).</summary>
    private sealed class SlowWork(int count) : IParallelWork
    {
        public readonly int[] Hits = new int[count];

        public void Execute(int index)
        {
            Thread.Sleep(1);
            Interlocked.Increment(ref Hits[index]);
        }
    }

    [Fact]
    public void Run_LongerThanTheSpinWindow_BlocksAndWakesWithoutLosingWork()
    {
        using var pool = new WorkerPool(3);
        int gapMs = 5 * WorkerPool.SpinMicroseconds / 1000 + 1;
        for (int loop = 0; loop < 5; loop++)
        {
            Thread.Sleep(gapMs);
            var work = new SlowWork(7);
            pool.Run(7, work);
            Assert.All(work.Hits, h => Assert.Equal(1, h));
        }
    }

    /// <summary>
    /// The first item a worker runs waits until every other item of the loop is finished (at most 10 s); the others
    /// take 1 ms each. The caller must therefore run the rest of that worker's home range too.
    /// </summary>
    private sealed class HeldWorkerWork(int count, Thread caller) : IParallelWork
    {
        public readonly int[] Hits = new int[count];
        public int Finished, Held = -1;
        public bool TimedOut;

        public void Execute(int index)
        {
            if (Thread.CurrentThread != caller && Interlocked.CompareExchange(ref Held, index, -1) == -1)
            {
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (Volatile.Read(ref Finished) < Hits.Length - 1)
                {
                    if (DateTime.UtcNow > deadline) { TimedOut = true; break; }
                    Thread.Sleep(1);
                }
            }
            else
            {
                Thread.Sleep(1);
            }
            Interlocked.Increment(ref Hits[index]);
            Interlocked.Increment(ref Finished);
        }
    }

    /// <summary>
    /// Loops until a worker was held in three of them (a worker the OS does not schedule during a loop leaves every
    /// item to the caller, which proves nothing); at most 100 loops.
    /// </summary>
    [Fact]
    public void Run_WorkerHeldUp_CallerRunsTheRestOfItsHomeRange()
    {
        using var pool = new WorkerPool(2);
        int held = 0;
        for (int loop = 0; loop < 100 && held < 3; loop++)
        {
            var work = new HeldWorkerWork(8, Thread.CurrentThread);
            pool.Run(8, work);
            Assert.False(work.TimedOut, $"loop {loop}: the caller waited for the held worker's unclaimed items");
            Assert.All(work.Hits, h => Assert.Equal(1, h));
            if (work.Held >= 0) held++;
        }
        Assert.Equal(3, held);
    }

    [Fact]
    public void Run_ItemThrows_RethrowsItsExceptionOnEveryPath_AndPoolStaysUsable()
    {
        // The item's own exception, whether the items ran on the pool's threads or inline (one thread, one item).
        foreach (var (threads, count, failing) in new[] { (2, 100, 37), (3, 100, 37), (1, 4, 2), (2, 1, 0) })
        {
            using var pool = new WorkerPool(threads);
            var ex = Assert.Throws<InvalidOperationException>(() => pool.Run(count, new ThrowingWork(failing)));
            Assert.Contains($"item {failing} failed", ex.Message);
            Assert.Contains(nameof(ThrowingWork), ex.StackTrace);   // the item's frames are kept
            var work = new CountingWork(50);
            pool.Run(50, work);
            Assert.All(work.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void Run_FromInsideAWorkItem_RunsInline()
    {
        using var pool = new WorkerPool(2);
        var work = new NestedWork(pool);
        pool.Run(8, work);
        Assert.All(work.Inner.Hits, h => Assert.Equal(1, h));
    }

    /// <summary>Item i runs <c>next.Run</c> over <paramref name="inner"/>'s items (a fresh work per call).</summary>
    private sealed class RelayWork(WorkerPool next, int innerCount, Func<IParallelWork> inner) : IParallelWork
    {
        public void Execute(int index) => next.Run(innerCount, inner());
    }

    /// <summary>Busy items, so that both threads of each pool take some.</summary>
    private sealed class SpinningWork(int count) : IParallelWork
    {
        public readonly int[] Hits = new int[count];

        public void Execute(int index)
        {
            Thread.SpinWait(2000);
            Interlocked.Increment(ref Hits[index]);
        }
    }

    /// <summary>
    /// An item of A runs B.Run, whose items run A.Run again: that inner A.Run comes from inside A's own run (through B), so it
    /// must run inline; waiting for A's turn would never end, since A's run waits for the item that waits for it. The loops
    /// run on a thread of their own, given 20 s; the pools are disposed only when they finished (a hung pool's Dispose waits
    /// for its hung threads).
    /// </summary>
    [Fact]
    public void Run_FromInsideAWorkItemThroughAnotherPool_RunsInline()
    {
        var a = new WorkerPool(2);
        var b = new WorkerPool(2);
        var leaves = new System.Collections.Concurrent.ConcurrentQueue<SpinningWork>();
        var work = new RelayWork(b, 4, () => new RelayWork(a, 6, () =>
        {
            var leaf = new SpinningWork(6);
            leaves.Enqueue(leaf);
            return leaf;
        }));
        Exception? error = null;
        var loops = new Thread(() =>
        {
            try
            {
                for (int loop = 0; loop < 50; loop++) a.Run(4, work);
            }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        loops.Start();
        Assert.True(loops.Join(TimeSpan.FromSeconds(20)), "A.Run issued through B from inside A's own work item waited for A's turn");
        Assert.Null(error);
        Assert.Equal(50 * 4 * 4, leaves.Count);
        Assert.All(leaves, leaf => Assert.All(leaf.Hits, h => Assert.Equal(1, h)));
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void Run_Repeated_AllocatesNothingOnTheCaller()
    {
        using var pool = new WorkerPool(2);
        var work = new CountingWork(16);
        for (int i = 0; i < 100; i++) pool.Run(16, work);
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => pool.Run(16, work), repeats: 1000));
    }

    [Fact]
    public void Run_NegativeCount_ThrowsNamingCount_ZeroRunsNothing()
    {
        using var pool = new WorkerPool(2);
        var work = new CountingWork(1);
        foreach (int count in new[] { -1, -100, int.MinValue })
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(count, work)).ParamName);
        pool.Run(0, work);
        Assert.Equal(0, work.Hits[0]);
    }

    /// <summary>
    /// Calls Dispose on <paramref name="pool"/> (on the worker threads only unless <paramref name="callerToo"/>) and records,
    /// per item, the exception (or "none") and how many items ran off the caller's thread. Item 0 (the first of the
    /// caller's home range) waits up to 10 s for an item to run off the caller's thread, so a worker thread takes part.
    /// </summary>
    private sealed class DisposingWork(WorkerPool pool, int count, int caller, bool callerToo = true) : IParallelWork
    {
        public readonly Exception?[] Errors = new Exception?[count];
        public int OffCaller;

        public void Execute(int index)
        {
            bool off = Environment.CurrentManagedThreadId != caller;
            if (off) Interlocked.Increment(ref OffCaller);
            if (index == 0) SpinWait.SpinUntil(() => Volatile.Read(ref OffCaller) > 0, TimeSpan.FromSeconds(10));
            if (!off && !callerToo) return;
            try
            {
                pool.Dispose();
                Errors[index] = new Exception("none");
            }
            catch (Exception e) { Errors[index] = e; }
        }
    }

    /// <summary>Runs <paramref name="test"/> on its own thread and fails (instead of hanging the suite) when it has not ended in 30 s.</summary>
    private static void WithinTimeout(Action test)
    {
        var task = Task.Factory.StartNew(test, TaskCreationOptions.LongRunning);
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "timed out: a Dispose waited for its own thread");
    }

    /// <summary>
    /// Dispose from a work item would join the thread running it (or wait for the run that thread belongs to): refused, on
    /// a worker thread alone (the call that hung) and on every thread, and the pool keeps running loops.
    /// </summary>
    [Fact]
    public void Dispose_FromInsideAWorkItem_IsRefusedOnEveryThread_AndPoolStaysUsable() => WithinTimeout(() =>
    {
        using var pool = new WorkerPool(2);
        foreach (bool callerToo in new[] { false, true })
        {
            var work = new DisposingWork(pool, 64, Environment.CurrentManagedThreadId, callerToo);
            pool.Run(64, work);
            Assert.True(work.OffCaller > 0, "no item ran on the worker thread");
            Assert.Equal(callerToo ? 64 : work.OffCaller, work.Errors.Count(e => e is not null));
            Assert.All(work.Errors.OfType<Exception>(), e => Assert.Contains("inside one of the pool's work items", Assert.IsType<InvalidOperationException>(e).Message));
            var counting = new CountingWork(50);
            pool.Run(50, counting);
            Assert.All(counting.Hits, h => Assert.Equal(1, h));
        }
    });

    [Fact]
    public void Dispose_FromAWorkItemOfAnotherPoolsRunIssuedInsideThisPool_IsRefused() => WithinTimeout(() =>
    {
        using var a = new WorkerPool(2);
        using var b = new WorkerPool(2);
        var inner = new System.Collections.Concurrent.ConcurrentQueue<DisposingWork>();
        int caller = Environment.CurrentManagedThreadId;
        a.Run(4, new RelayWork(b, 8, () =>
        {
            var work = new DisposingWork(a, 8, caller);
            inner.Enqueue(work);
            return work;
        }));
        Assert.Equal(4, inner.Count);
        Assert.All(inner, work => Assert.All(work.Errors, e => Assert.IsType<InvalidOperationException>(e)));
        a.Run(8, new CountingWork(8));
    });

    [Fact]
    public void Constructor_ZeroThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));

    [Fact]
    public void Run_AfterDispose_Throws()
    {
        var pool = new WorkerPool(2);
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(4, new CountingWork(4)));
    }

    [Fact]
    public void Constructor_ThreadCountOutsideOneToMax_IsRefusedBeforeAThreadStarts()
    {
        int before = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        foreach (int threads in new[] { 0, -1, WorkerPool.MaxThreads + 1, 100_000, int.MaxValue })
            Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(threads)).ParamName);
        Assert.True(System.Diagnostics.Process.GetCurrentProcess().Threads.Count < before + 64);
        using var widest = new WorkerPool(WorkerPool.MaxThreads);
        Assert.Equal(WorkerPool.MaxThreads, widest.Threads);
    }
}
