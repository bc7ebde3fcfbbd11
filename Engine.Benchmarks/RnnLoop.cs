using System.Diagnostics;
using System.Globalization;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>loop rnn|lstm|gru small|large THREADS PASSES [--serial-steps]</c>: a fixed number of forward+backward passes of
/// one <see cref="RnnWorkload"/>, without BenchmarkDotNet or a baseline, for profilers and CPU counters
/// (<c>perf stat</c>, <c>perf record</c>): the work is the same whatever the load, so user cycles per pass compare
/// variants on a busy machine. The timed passes follow three untimed ones. THREADS = 1 runs on the calling thread alone (no pool). Prints the wall time per
/// pass and the last loss (equal across thread counts: the fused path is deterministic).
/// </summary>
public static class RnnLoop
{
    /// <summary>Passes run before the timed ones (tiered compilation reaches optimised code during them).</summary>
    private const int WarmUpPasses = 3;

    public static int Run(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("loop: usage: loop rnn|lstm|gru small|large THREADS PASSES [--serial-steps]");
            return 2;
        }
        var cell = Enum.Parse<RnnCellType>(args[0], ignoreCase: true);
        var shape = args[1] == "small" ? RnnShape.Small : RnnShape.Large;
        int threads = int.Parse(args[2], CultureInfo.InvariantCulture), passes = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        var work = new RnnWorkload(cell, shape, RecurrentPath.Fused, pool, parallelSteps: !args.Contains("--serial-steps"));
        float loss = 0;
        for (int i = 0; i < WarmUpPasses; i++) work.Step();   // untimed: the first passes run while the JIT is still optimising
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < passes; i++) loss = work.Step();
        double s = sw.Elapsed.TotalSeconds / passes;
        Console.WriteLine(FormattableString.Invariant($"loop {cell} {shape} threads={threads}: {s * 1e3:F1} ms/pass, {shape.B * shape.T / s:F0} tokens/s, loss {loss:R}"));
        return 0;
    }
}
