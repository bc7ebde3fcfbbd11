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
        RnnCellType? cellType = args[0].ToLowerInvariant() switch { "rnn" => RnnCellType.Rnn, "lstm" => RnnCellType.Lstm, "gru" => RnnCellType.Gru, _ => null };
        RnnShape? size = args[1] switch { "small" => RnnShape.Small, "large" => RnnShape.Large, _ => null };
        bool threadsOk = int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int threads) && threads >= 1;
        bool passesOk = int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out int passes) && passes >= 1;
        if (cellType is not { } cell || size is not { } shape || !threadsOk || !passesOk)
        {
            string what = cellType is null ? $"cell '{args[0]}' is not rnn, lstm or gru"
                : size is null ? $"shape '{args[1]}' is not small or large"
                : !threadsOk ? $"THREADS '{args[2]}' is not a whole number of at least 1"
                : $"PASSES '{args[3]}' is not a whole number of at least 1";
            Console.Error.WriteLine($"loop: {what}; usage: loop rnn|lstm|gru small|large THREADS PASSES [--serial-steps]");
            return 2;
        }
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
