using System.Diagnostics;
using System.Globalization;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare rnn</c>: forward+backward of LSTM, GRU and RNN layers (L = 2) in SeqLearn (fused path, 2-thread
/// <see cref="WorkerPool"/>) and PyTorch (scripts/compare_rnn_torch.py via /usr/bin/python3, float32,
/// torch.set_num_threads(1)), interleaved: each round times both, alternating which goes first; the median over
/// rounds is reported as tokens/s (B·T per second). The last line is the geometric mean of the SeqLearn/PyTorch
/// ratios of the three cells at H = 256.
/// </summary>
public static class RnnComparison
{
    /// <summary>The passes' losses, summed and printed at the end, so the timed work has a visible result.</summary>
    private static double s_checksum;

    /// <summary>
    /// Runs the comparison. Options: <c>--rounds N</c> (default 5), <c>--small-only</c>, <c>--serial-steps</c>
    /// (SeqLearn with <see cref="RecurrentOptions.ParallelSteps"/> off: each step on the calling thread).
    /// </summary>
    public static int Run(string[] args, BaselineEnvironment baseline)
    {
        int rounds = CompareOptions.Positive(args, "--rounds", 5);
        bool smallOnly = args.Contains("--small-only");
        bool parallelSteps = !args.Contains("--serial-steps");

        string? script = FindScript();
        if (script is null)
        {
            Console.Error.WriteLine("compare rnn: scripts/compare_rnn_torch.py not found above the working directory or the binary.");
            return 1;
        }
        string? pytorch = BaselineEnvironment.DescribePyTorch("set_num_threads(1)", out string failure);
        if (pytorch is null)
        {
            Console.Error.WriteLine($"compare rnn: {failure}: run scripts/install-baselines.sh.");
            return 1;
        }
        using var torch = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("compare rnn: could not start /usr/bin/python3.");
        using var pool = new WorkerPool(2);

        Console.WriteLine($"compare rnn: forward+backward, float32, L=2, {rounds} interleaved rounds, median; SeqLearn fused path on a 2-thread WorkerPool{(parallelSteps ? " (ParallelSteps, the default)" : " with serial steps (ParallelSteps off)")}, PyTorch {script} (set_num_threads(1)).");
        Console.WriteLine($"machine: {MachineInfo.Describe()}; core-to-core round trip {MachineInfo.CoreRoundTrip()}");
        Console.WriteLine($"baseline: {pytorch}; {baseline.DescribeOpenBlas()}");
        Console.WriteLine($"{"cell",-5} {"shape",-28} {"SeqLearn tok/s",15} {"PyTorch tok/s",15} {"ratio",7}");
        var smallRatios = new List<double>();
        var proc = Process.GetCurrentProcess();
        var shapes = smallOnly ? new[] { RnnShape.Small } : [RnnShape.Small, RnnShape.Large];
        foreach (var shape in shapes)
        foreach (var cell in Enum.GetValues<RnnCellType>())
        {
            var work = new RnnWorkload(cell, shape, RecurrentPath.Fused, pool, parallelSteps);
            int iters = shape == RnnShape.Small ? 3 : 1;
            WarmUp(work);
            var ours = new List<double>();
            var meter = new CpuMeter(proc);
            var theirs = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                if (r % 2 == 0) { theirs.Add(TimeTorch(torch, cell, shape, iters)); ours.Add(meter.Time(work, iters)); }
                else { ours.Add(meter.Time(work, iters)); theirs.Add(TimeTorch(torch, cell, shape, iters)); }
            }
            double cpus = meter.CpusReceived;
            double tokens = shape.B * shape.T;
            double oursTps = tokens / Median(ours), theirsTps = tokens / Median(theirs);
            double ratio = oursTps / theirsTps;
            if (shape == RnnShape.Small) smallRatios.Add(ratio);
            Console.WriteLine($"{cell.ToString().ToLowerInvariant(),-5} {shape,-28} {oursTps,15:F0} {theirsTps,15:F0} {ratio,7:F2}   (SeqLearn received {cpus:F2} CPUs)");
        }
        torch.StandardInput.WriteLine("quit");
        torch.WaitForExit(10_000);
        double geomean = Math.Exp(smallRatios.Average(Math.Log));
        Console.WriteLine($"(checksum of SeqLearn's losses {s_checksum:E3})");
        Console.WriteLine($"rnn geomean ratio vs PyTorch (lstm,gru,rnn @ H=256): {geomean.ToString("F2", CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>
    /// Runs passes for at least 2 s (and at least 3): tiered JIT compiles each method quickly first and
    /// recompiles hot ones with full optimisation (and PGO) only after they have been called a while; at
    /// H = 256 the first 15 passes were measured up to 2× slower than the steady state, so one warm-up pass
    /// would put tier-0 code in the timed rounds. PyTorch runs no JIT; its script warms up with one pass.
    /// </summary>
    private static void WarmUp(RnnWorkload work)
    {
        var sw = Stopwatch.StartNew();
        for (int n = 0; n < 3 || sw.Elapsed.TotalSeconds < 2; n++) s_checksum += work.Step();
    }

    /// <summary>Times SeqLearn passes and the process CPU they used: CPU ÷ wall = CPUs the run actually received.</summary>
    private sealed class CpuMeter(Process proc)
    {
        private double _cpu, _wall;

        public double CpusReceived => _cpu / _wall;

        /// <summary>
        /// Seconds per pass over <paramref name="iters"/> passes, timed after one untimed pass: the PyTorch script
        /// times its passes the same way, so neither side's sample starts with the caches and mappings the other
        /// process left behind.
        /// </summary>
        public double Time(RnnWorkload work, int iters)
        {
            s_checksum += work.Step();
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < iters; i++) s_checksum += work.Step();
            double s = sw.Elapsed.TotalSeconds;
            proc.Refresh();
            _cpu += (proc.TotalProcessorTime - cpu0).TotalSeconds;
            _wall += s;
            return s / iters;
        }
    }

    private static double TimeTorch(Process torch, RnnCellType cell, RnnShape s, int iters)
    {
        torch.StandardInput.WriteLine($"{cell.ToString().ToLowerInvariant()} {s.B} {s.T} {s.E} {s.H} {s.L} {iters}");
        string line = torch.StandardOutput.ReadLine() ?? throw new InvalidOperationException("compare rnn: the PyTorch process exited early (is python3-torch installed? run scripts/install-baselines.sh).");
        double seconds = double.Parse(line, CultureInfo.InvariantCulture);
        WaitUntilIdle(torch);
        return seconds;
    }

    /// <summary>
    /// Waits until the PyTorch process stops using CPU. OpenBLAS worker threads spin-wait after each call
    /// (about 2^28 cycles, 0.1 s here, before they sleep), so a SeqLearn run timed straight after a PyTorch
    /// run shares a core with an idle spinner: measured 2× slower at H = 256, where three passes take 60 ms.
    /// Idle = under 2 ms of CPU in a 50 ms window; gives up after 3 s.
    /// </summary>
    private static void WaitUntilIdle(Process torch)
    {
        var deadline = Stopwatch.StartNew();
        torch.Refresh();
        var before = torch.TotalProcessorTime;
        while (deadline.Elapsed.TotalSeconds < 3)
        {
            Thread.Sleep(50);
            torch.Refresh();
            var now = torch.TotalProcessorTime;
            if ((now - before).TotalMilliseconds < 2) return;
            before = now;
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>scripts/compare_rnn_torch.py, found by walking up from the working directory and the binary; null if absent.</summary>
    private static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string p = Path.Combine(dir.FullName, "scripts", "compare_rnn_torch.py");
                if (File.Exists(p)) return p;
            }
        return null;
    }
}
