using System.Diagnostics;

namespace SeqLearn.Checkpoints;

/// <summary>
/// A test hook that kills the process (SIGKILL on Unix, as <c>kill -9</c> would) at a chosen point of the
/// <see cref="AtomicFile.WriteDirectory"/> sequence, so that a test can stop the real CLI inside the rename window
/// deterministically instead of by timing. Off unless the environment variable <c>SEQLEARN_TEST_KILL_AT</c> is
/// <c>{n}:{point}</c>: the process kills itself at <c>point</c> of its n-th directory write (1-based), where point is
/// <c>before</c>, <c>file</c> (the first file of the write is on disk), <c>filled</c>, <c>moved-old</c> or <c>moved-new</c>.
/// </summary>
internal static class CrashHook
{
    public const string Variable = "SEQLEARN_TEST_KILL_AT";
    public const string Before = "before", FileWritten = "file", Filled = "filled", MovedOld = "moved-old", MovedNew = "moved-new";

    private static readonly (int Write, string Point)? Target = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _writes;

    /// <summary>Called at each point of the sequence; counts the writes (at <see cref="Before"/>) and kills at the target.</summary>
    public static void At(string point, string path)
    {
        if (Target is not { } target) return;
        int write = point == Before ? Interlocked.Increment(ref _writes) : Volatile.Read(ref _writes);
        if (write == target.Write && point == target.Point)
        {
            Console.Error.WriteLine($"{Variable}: killing the process at '{point}' of directory write {write} ({path})");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static (int, string)? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        int colon = value.IndexOf(':');
        return colon > 0 && int.TryParse(value.AsSpan(0, colon), out int n) ? (n, value[(colon + 1)..]) : null;
    }
}
