using System.Globalization;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare gemm-layers [--repeats N] [--only TEXT] [--one-thread]</c>: the all-steps products of a two-layer recurrent
/// layer at B = 64, T = 100, E = 64, H = 512 (the <c>compare rnn</c> large shape) against OpenBLAS <c>cblas_sgemm</c>,
/// on one and two threads, samples interleaved, medians of N repeats (default 7): the input projections X·W_ihᵀ, the weight gradients dÂᵀ·X
/// (transposed A, k = B·T), the input gradient dÂ·W_ih, and 1024³ for reference. <c>--only</c> keeps the products whose
/// name contains TEXT.
/// </summary>
internal static class GemmLayerComparison
{
    public static int Run(string[] args, BaselineEnvironment baseline)
    {
        int repeats = CompareOptions.Positive(args, "--repeats", 7);
        string? only = null;
        bool oneThread = args.Contains("--one-thread");
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--only") only = args[i + 1];
        var blas = OpenBlas.TryLoad(out string why);
        Console.WriteLine($"GEMM of the recurrent layers' all-steps products, float32, row-major, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"CPU: {MachineInfo.Describe()}");
        Console.WriteLine($"baseline: {baseline.DescribeOpenBlas()}");
        Console.WriteLine($"{repeats} interleaved repeats (SeqLearn, OpenBLAS, …), median GFLOP/s");
        if (blas is null)
        {
            Console.WriteLine($"OpenBLAS not installed: run scripts/install-baselines.sh ({why})");
            return 1;
        }
        using var pool2 = new WorkerPool(2);
        var rng = new SeededRng(7);
        var shapes = new (bool TransA, bool TransB, int M, int N, int K, string Name)[]
        {
            (false, true, 6400, 512, 512, "input projection X·W_ihᵀ, in = 512"),
            (false, true, 6400, 512, 64, "input projection X·W_ihᵀ, in = 64"),
            (true, false, 512, 512, 6400, "weight gradient dÂᵀ·X, in = 512"),
            (true, false, 512, 64, 6400, "weight gradient dÂᵀ·X, in = 64"),
            (false, false, 6400, 512, 512, "input gradient dÂ·W_ih"),
            (false, false, 1024, 1024, 1024, "1024³"),
        };
        Console.WriteLine($"{"product",-38} {"(m×k)·(k×n)",-22} {"threads",7} {"SeqLearn",9} {"OpenBLAS",9} {"ratio",6}");
        foreach (int threads in oneThread ? new[] { 1 } : new[] { 1, 2 })
            foreach (var (ta, tb, m, n, k, name) in shapes)
            {
                if (only is not null && !name.Contains(only, StringComparison.Ordinal)) continue;
                using var problem = new GemmComparison.Problem(m, n, k, rng, transB: tb, transA: ta);
                var r = GemmComparison.Compare(problem, blas, threads == 2 ? pool2 : null, threads, repeats, peak: 0, print: false);
                Console.WriteLine(FormattableString.Invariant($"{name,-38} {problem.Name,-22} {threads,7} {r.SeqLearn,9:F1} {r.OpenBlas,9:F1} {r.Ratio,6:F2}"));
            }
        return 0;
    }
}
