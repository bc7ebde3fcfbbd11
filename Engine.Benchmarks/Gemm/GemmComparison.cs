using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare gemm</c>: SeqLearn's float32 GEMM side by side with OpenBLAS <c>cblas_sgemm</c>, both measured
/// in this run, interleaved (SeqLearn, OpenBLAS, SeqLearn, …) and summarised by the median of several
/// repeats, plus the FMA peak of one core measured the same way. Options: <c>--repeats N</c> (default 7).
/// </summary>
internal static class GemmComparison
{
    private const double SecondsPerSample = 0.12;

    public static int Run(string[] args, BaselineEnvironment baseline)
    {
        int repeats = CompareOptions.Positive(args, "--repeats", 7);

        var blas = OpenBlas.TryLoad(out string why);
        Console.WriteLine($"GEMM comparison, float32, row-major, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"CPU: {MachineInfo.Describe()}");
        Console.WriteLine($"baseline: {baseline.DescribeOpenBlas()}");
        Console.WriteLine($"SeqLearn path: {KernelPath.Default.Gemm?.ToString() ?? "scalar reference"}; {repeats} interleaved repeats, median reported");
        if (blas is null) Console.WriteLine($"OpenBLAS not installed: run scripts/install-baselines.sh ({why})");
        Console.WriteLine();

        using var pool2 = new WorkerPool(2);
        double peak = MeasurePeak(repeats);
        Console.WriteLine(peak > 0
            ? $"one-core FMA peak ({FmaPeak.Describe}): {peak,7:F1} GFLOP/s"
            : "one-core FMA peak: no FMA vector path here, not measured");
        Console.WriteLine();
        Console.WriteLine($"{"product (m×k)·(k×n)",-45} {"threads",7} {"SeqLearn",9} {"OpenBLAS",9} {"ratio",6} {"% peak",7}");

        var rng = new SeededRng(2026);
        var square512 = new Problem(512, 512, 512, rng);
        var ratios = new List<double>();
        double bestSquare = 0;
        foreach (int n in new[] { 256, 512, 1024 })
        {
            var square = new Problem(n, n, n, rng);
            var r = Compare(square, blas, null, 1, repeats, peak);
            if (r.Ratio is { } ratio) ratios.Add(ratio);
            bestSquare = Math.Max(bestSquare, r.SeqLearn);
            if (peak > 0) Console.WriteLine($"{"  share of the FMA peak timed alternately with it (median of pairs)",-60} {PeakShare(square, 2 * repeats) * 100,7:F1}%");
        }

        var big = new Problem(1024, 1024, 1024, rng);
        var one = Compare(big, blas, null, 1, repeats, peak, print: false);
        var two = Compare(big, blas, pool2, 2, repeats, peak);
        Console.WriteLine($"{"  2-thread scaling n=1024 (SeqLearn 2 threads / 1 thread)",-60} {two.SeqLearn / one.SeqLearn,6:F2}x");
        Console.WriteLine($"  CPUs the process got (CPU time / wall): {one.SeqLearnCpus:F2} in the 1-thread runs, {two.SeqLearnCpus:F2} in the 2-thread runs");
        // The same ratio per pair of alternating runs; a pair counts as quiet when its 2-thread half got ≥ 1.8 CPUs.
        var pairs = Paired(big, pool2, big, null, 2 * repeats);
        var quiet = pairs.Where(q => q.Cpus >= 1.8).Select(q => q.Ratio).ToList();
        Console.WriteLine($"{"  2-thread scaling, median of alternating pairs",-60} {Median(pairs.Select(q => q.Ratio).ToList()),6:F2}x   ({pairs.Count} pairs)");
        Console.WriteLine(quiet.Count > 0
            ? $"{"  2-thread scaling, median of pairs that got >= 1.8 CPUs",-60} {Median(quiet),6:F2}x   ({quiet.Count} of {pairs.Count} pairs)"
            : "  2-thread scaling: no pair got >= 1.8 CPUs (the second core was busy)");

        // The LSTM products as written in the issue, then as the layers call them: x·Wᵀ with W (out, in); then
        // with B packed once outside the timed loop (GemmPackedB), as the fused recurrent layer multiplies W_hhᵀ
        // at every time step. OpenBLAS has no packed-B call in CBLAS: its column is the same product unpacked.
        foreach (bool prePacked in new[] { false, true })
        {
            if (prePacked) Console.WriteLine("B pre-packed once (GemmPackedB), as the fused LSTM uses it; OpenBLAS column: plain sgemm");
            foreach (bool transB in new[] { false, true })
                foreach (var (m, k, n) in new[] { (32, 320, 1024), (2048, 256, 65) })
                {
                    using var problem = new Problem(m, n, k, rng, transB, prePacked);
                    var r = Compare(problem, blas, null, 1, repeats, peak);
                    double paired = PairedShare(problem, square512, repeats);
                    Console.WriteLine($"{$"  share of best square 1-thread SeqLearn ({bestSquare:F1} GFLOP/s)",-60} {r.SeqLearn / bestSquare * 100,5:F0}%");
                    Console.WriteLine($"{"  share of 512² timed alternately with it (median of pairs)",-60} {paired * 100,5:F0}%");
                }
        }
        // One RNN/LSTM time step at H = 512 (B = 64): h·W_hhᵀ, B pre-packed, on 1 and 2 threads.
        foreach (var (m, k, n) in new[] { (64, 512, 512), (64, 512, 2048) })
        {
            using var step = new Problem(m, n, k, rng, transB: true, prePacked: true);
            var s1 = Compare(step, blas, null, 1, repeats, peak);
            var s2 = Compare(step, blas, pool2, 2, repeats, peak);
            Console.WriteLine($"{"  2 threads / 1 thread (pre-packed)",-60} {s2.SeqLearn / s1.SeqLearn,6:F2}x   CPUs received {s1.SeqLearnCpus:F2} / {s2.SeqLearnCpus:F2}");
        }

        Console.WriteLine();
        string geomean = ratios.Count == 3
            ? Math.Exp(ratios.Average(Math.Log)).ToString("F2", CultureInfo.InvariantCulture)
            : "n/a (OpenBLAS not installed)";
        Console.WriteLine($"gemm geomean ratio vs OpenBLAS (1 thread, n=256,512,1024): {geomean}");
        return 0;
    }

    /// <summary>One product and its operands: op(A) (m, k), stored (k, m) when <see cref="TransA"/>; op(B) (k, n), stored (n, k) when <see cref="TransB"/>.</summary>
    internal sealed class Problem : IDisposable
    {
        public readonly int M, N, K;
        public readonly bool TransA, TransB;
        public readonly float[] A, B, C;
        /// <summary>B packed once, when the SeqLearn side is timed with a pre-packed B.</summary>
        public readonly GemmPackedB<float>? Packed;

        public Problem(int m, int n, int k, SeededRng rng, bool transB = false, bool prePacked = false, bool transA = false)
        {
            (M, N, K, TransA, TransB) = (m, n, k, transA, transB);
            A = Tensor<float>.Uniform(transA ? [k, m] : [m, k], -1, 1, rng).Span.ToArray();
            B = Tensor<float>.Uniform(transB ? [n, k] : [k, n], -1, 1, rng).Span.ToArray();
            C = new float[m * n];
            Packed = prePacked ? GemmPackedB<float>.Create(transB, k, n, B, Ldb) : null;
        }

        public void Dispose() => Packed?.Dispose();

        public int Lda => TransA ? M : K;

        public int Ldb => TransB ? K : N;

        public double Flops => 2.0 * M * N * K;

        public string Name => (TransA ? $"({K}×{M})ᵀ" : $"({M}×{K})") + "·" + (TransB ? $"({N}×{K})ᵀ" : $"({K}×{N})") + (Packed is null ? "" : " pre-packed");
    }

    /// <param name="SeqLearnCpus">Process CPU time ÷ wall time during the SeqLearn samples: how many cores it actually got.</param>
    internal readonly record struct Result(double SeqLearn, double? OpenBlas, double SeqLearnCpus)
    {
        public double? Ratio => OpenBlas is { } o ? SeqLearn / o : null;
    }

    /// <summary>
    /// Median GFLOP/s of both libraries on one product, samples interleaved. On several threads each sample starts after
    /// 0.2 s of rest: OpenBLAS's worker threads spin for about 0.1 s after a call (2^28 cycles) before they sleep, and a
    /// SeqLearn sample timed in that window shares a core with them (1024³ on two threads measured 1.6× slower that way).
    /// </summary>
    internal static Result Compare(Problem p, OpenBlas? blas, WorkerPool? pool, int threads, int repeats, double peak, bool print = true)
    {
        Action seqLearn = SeqLearnCall(p, pool);
        Action? openBlas = blas is null ? null : () => blas.Sgemm(p.TransA, p.TransB, p.M, p.N, p.K, 1f, p.A, p.Lda, p.B, p.Ldb, 0f, p.C, p.N);
        blas?.SetThreads(threads);
        long itS = Calibrate(seqLearn), itO = openBlas is null ? 0 : Calibrate(openBlas);
        var s = new List<double>();
        var o = new List<double>();
        double cpu = 0, wall = 0;
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            if (threads > 1) Thread.Sleep(200);
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            double seconds = Time(seqLearn, itS);
            process.Refresh();
            cpu += (process.TotalProcessorTime - cpu0).TotalSeconds;
            wall += seconds;
            s.Add(p.Flops * itS / seconds / 1e9);
            if (threads > 1) Thread.Sleep(200);
            if (openBlas is not null) o.Add(p.Flops * itO / Time(openBlas, itO) / 1e9);
        }
        var result = new Result(Median(s), openBlas is null ? null : Median(o), cpu / wall);
        if (print)
        {
            string name = p.Name;
            string ob = result.OpenBlas is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "-";
            string ratio = result.Ratio is { } q ? q.ToString("F2", CultureInfo.InvariantCulture) : "-";
            string share = peak > 0 ? (result.SeqLearn / (peak * threads) * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : "-";
            Console.WriteLine($"{name,-45} {threads,7} {result.SeqLearn,9:F1} {ob,9} {ratio,6} {share,7}");
        }
        return result;
    }

    /// <summary>
    /// SeqLearn's GFLOP/s on <paramref name="p"/> over its GFLOP/s on <paramref name="square"/>, the two timed in
    /// alternation (one thread) and the ratio taken per pair: the median of these ratios is little moved by the
    /// load swings of a shared machine, which shift both halves of a pair alike.
    /// </summary>
    private static double PairedShare(Problem p, Problem square, int repeats) =>
        Median(Paired(p, null, square, null, repeats).Select(q => q.Ratio).ToList());

    /// <summary>
    /// SeqLearn on <paramref name="x"/> and on <paramref name="y"/> timed in alternation; per pair the GFLOP/s
    /// ratio x / y and the CPUs the process received during the x half (CPU time ÷ wall time).
    /// </summary>
    private static List<(double Ratio, double Cpus)> Paired(Problem x, WorkerPool? px, Problem y, WorkerPool? py, int repeats) =>
        Alternate(SeqLearnCall(x, px), x.Flops, SeqLearnCall(y, py), y.Flops, repeats);

    /// <summary>
    /// <paramref name="fx"/> and <paramref name="fy"/> (doing <paramref name="flopsX"/> and <paramref name="flopsY"/> per call)
    /// timed in alternation; per pair the GFLOP/s ratio x / y and the CPUs the process received during the x half.
    /// </summary>
    private static List<(double Ratio, double Cpus)> Alternate(Action fx, double flopsX, Action fy, double flopsY, int repeats)
    {
        long itX = Calibrate(fx), itY = Calibrate(fy);
        using var process = Process.GetCurrentProcess();
        var pairs = new List<(double, double)>();
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            double sx = Time(fx, itX);
            process.Refresh();
            double cpus = (process.TotalProcessorTime - cpu0).TotalSeconds / sx;
            double gx = flopsX * itX / sx, gy = flopsY * itY / Time(fy, itY);
            pairs.Add((gx / gy, cpus));
        }
        return pairs;
    }

    /// <summary>
    /// SeqLearn's one-thread GFLOP/s on <paramref name="p"/> over the FMA peak loop's, the two timed in alternation and
    /// the ratio taken per pair; the median of the ratios. A VM's core can speed up or slow down within a run, which a
    /// peak measured once at the start does not follow; both halves of a pair see the same speed.
    /// </summary>
    private static double PeakShare(Problem p, int pairs)
    {
        float sink = 0;
        var ratios = Alternate(SeqLearnCall(p, null), p.Flops, () => sink += FmaPeak.Run(1 << 16), FmaPeak.Flops(1L << 16), pairs);
        return float.IsNaN(sink) ? 0 : Median(ratios.Select(q => q.Ratio).ToList());
    }

    private static Action SeqLearnCall(Problem p, WorkerPool? pool) => p.Packed is { } packed
        ? () => Gemm.Compute(p.TransA, p.M, 1f, p.A, p.Lda, packed, 0f, p.C, p.N, pool)
        : () => Gemm.Compute(p.TransA, p.TransB, p.M, p.N, p.K, 1f, p.A, p.Lda, p.B, p.Ldb, 0f, p.C, p.N, pool);

    private static double MeasurePeak(int repeats)
    {
        if (FmaPeak.Shape.Width is null) return 0;
        float sink = 0;
        Action run = () => sink += FmaPeak.Run(1 << 16);
        long it = Calibrate(run);
        var g = new List<double>();
        for (int r = 0; r < repeats; r++) g.Add(FmaPeak.Flops(1L << 16) * it / Time(run, it) / 1e9);
        return float.IsNaN(sink) ? 0 : Median(g);
    }

    /// <summary>Warms up (lets the JIT reach its optimised tier) and returns the call count for one sample.</summary>
    internal static long Calibrate(Action run)
    {
        var warm = Stopwatch.StartNew();
        long calls = 0;
        while (warm.Elapsed.TotalSeconds < 0.3 || calls < 3)
        {
            run();
            calls++;
        }
        double perCall = Time(run, Math.Max(1, calls / 3)) / Math.Max(1, calls / 3);
        return Math.Max(1, (long)(SecondsPerSample / perCall));
    }

    internal static double Time(Action run, long calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < calls; i++) run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    internal static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
