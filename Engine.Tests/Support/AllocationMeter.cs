namespace SeqLearn.Tests.Support;

/// <summary>
/// Measures what a piece of code allocates on the calling thread, robust to one known artifact of the counter.
/// </summary>
/// <remarks>
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> counts the unused rest of the thread's allocation context
/// (up to one 8 KB quantum) as allocated when a background GC, started by another test running in parallel,
/// suspends the thread in the middle of the measured window. Measured (docs/testing.md): a zero-allocation GEMM loop showed
/// 840 or 8 016 bytes in 67 of 8 000 windows under load, every one of them with a GC pause inside, and none with
/// <c>DOTNET_gcConcurrent=0</c>. So a window in which any GC paused the process is discarded and measured again;
/// a real allocation shows in every window, so it still fails the caller's assertion.
/// </remarks>
public static class AllocationMeter
{
    /// <summary>
    /// Bytes allocated on this thread by <paramref name="repeats"/> calls of <paramref name="action"/> after one
    /// warm-up call, from the first of up to <paramref name="attempts"/> windows without a GC pause (the smallest
    /// count seen if every window had one).
    /// </summary>
    public static long AllocatedBy(Action action, int repeats = 50, int attempts = 10)
    {
        action(); // warm-up: lazily created state, JIT
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            var pauses = GC.GetTotalPauseDuration();
            int collections = GC.CollectionCount(0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < repeats; i++) action();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (GC.GetTotalPauseDuration() == pauses && GC.CollectionCount(0) == collections) return bytes;
            fewest = Math.Min(fewest, bytes);
        }
        return fewest;
    }

    /// <summary>
    /// The smallest of <paramref name="readings"/> <see cref="AllocatedBy"/> readings: a one-time allocation of the runtime
    /// on this thread (a type's first use on a path only tiered-up code takes: 248 bytes in one CI run) lands in one of
    /// them, an allocation of every call in all of them.
    /// </summary>
    public static long SmallestOf(int readings, Action action, int repeats = 50)
    {
        long fewest = long.MaxValue;
        for (int i = 0; i < readings; i++) fewest = Math.Min(fewest, AllocatedBy(action, repeats));
        return fewest;
    }

    /// <summary>
    /// Bytes per call of <paramref name="step"/> after <paramref name="warmUps"/> warm-up calls: the smallest of three readings
    /// of <paramref name="steps"/> calls (<see cref="SmallestOf"/>), divided by <paramref name="steps"/>.
    /// </summary>
    public static long PerStep(Action step, int steps = 20, int warmUps = 5)
    {
        for (int i = 0; i < warmUps; i++) step();
        return SmallestOf(3, step, steps) / steps;
    }

    /// <summary><see cref="PerStep(Action, int, int)"/>, the result also written to the test's output as "<paramref name="name"/>: N B/step".</summary>
    public static long PerStep(Xunit.Abstractions.ITestOutputHelper output, string name, Action step, int steps = 20)
    {
        long bytes = PerStep(step, steps);
        output.WriteLine($"{name}: {bytes} B/step");
        return bytes;
    }
}
