using System.Diagnostics;

namespace SeqLearn.Checkpoints;

/// <summary>
/// A test hook that kills the process (SIGKILL on Unix, as <c>kill -9</c> would) at a chosen point of the
/// <see cref="AtomicFile.WriteDirectory"/> sequence, so that a test can stop the real CLI inside the rename window
/// deterministically instead of by timing. Off unless a caller inside the test assembly calls <see cref="Arm"/> (the
/// library reads no environment variable or setting for it): the process then kills itself at <c>point</c> of its n-th
/// directory write after the call (1-based), where point is <c>before</c>, <c>file</c> (the first file of the write is
/// on disk), <c>filled</c>, <c>moved-old</c> or <c>moved-new</c>. The tests arm it in a child <c>seqlearn</c> process through
/// a .NET startup hook of their own (docs/checkpoints.md#crash-safety-and-the-directory-lock).
/// In-process tests use <see cref="ThrowOnThisThread"/> instead, which throws at the point on the calling thread only.
/// </summary>
internal static class CrashHook
{
    public const string Before = "before", FileWritten = "file", Filled = "filled", MovedOld = "moved-old", MovedNew = "moved-new";

    private sealed record Target(int Write, string Point);

    private static Target? _target;
    private static int _writes;

    [ThreadStatic] private static Target? _throwTarget;   // ThrowOnThisThread: this thread's own target and write count
    [ThreadStatic] private static int _throwWrites;

    /// <summary>The exception <see cref="ThrowOnThisThread"/> stops a write with.</summary>
    public sealed class SimulatedCrashException(string message) : Exception(message);

    /// <summary>
    /// For in-process tests: throws <see cref="SimulatedCrashException"/> at <paramref name="point"/> of the
    /// <paramref name="write"/>-th directory write made on the calling thread from now on (1-based), leaving the files as a
    /// kill there would (except at <c>file</c>, where the write deletes its temporary directory as for any exception).
    /// Other threads are not affected; disposing the result disarms it.
    /// </summary>
    public static IDisposable ThrowOnThisThread(int write, string point)
    {
        var target = Check(write, point);
        (_throwTarget, _throwWrites) = (target, 0);
        return new Disarm();
    }

    private sealed class Disarm : IDisposable
    {
        public void Dispose() => _throwTarget = null;
    }

    private static Target Check(int write, string point)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(write, 1);
        if (point is not (Before or FileWritten or Filled or MovedOld or MovedNew))
            throw new ArgumentException($"CrashHook: unknown point '{point}'; expected {Before}, {FileWritten}, {Filled}, {MovedOld} or {MovedNew}.", nameof(point));
        return new Target(write, point);
    }

    /// <summary>Kills the process at <paramref name="point"/> of the <paramref name="write"/>-th directory write from now on (1-based).</summary>
    public static void Arm(int write, string point)
    {
        var target = Check(write, point);
        Volatile.Write(ref _writes, 0);
        Volatile.Write(ref _target, target);
    }

    /// <summary>Called at each point of the sequence; counts the writes (at <see cref="Before"/>) and kills at the armed target.</summary>
    public static void At(string point, string path)
    {
        if (_throwTarget is { } own)
        {
            int n = point == Before ? ++_throwWrites : _throwWrites;
            if (n == own.Write && point == own.Point)
                throw new SimulatedCrashException($"CrashHook: simulated crash at '{point}' of directory write {n} ({path})");
        }
        if (Volatile.Read(ref _target) is not { } target) return;
        int write = point == Before ? Interlocked.Increment(ref _writes) : Volatile.Read(ref _writes);
        if (write == target.Write && point == target.Point)
        {
            Console.Error.WriteLine($"CrashHook: killing the process at '{point}' of directory write {write} ({path})");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
