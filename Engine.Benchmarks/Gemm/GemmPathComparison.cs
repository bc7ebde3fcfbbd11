using System.Globalization;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare gemm-paths [--repeats N]</c>: SeqLearn's float32 GEMM on every vector path this machine runs (AVX-512,
/// AVX2, the ARM64 128-bit path forced here, Vector&lt;T&gt;), one thread, the paths timed in turn within each repeat and
/// summarised by the median GFLOP/s. On x86 the 128-bit column is a sanity number for the NEON tile, not its speed on
/// ARM (docs/kernels.md §6).
/// </summary>
internal static class GemmPathComparison
{
    public static int Run(string[] args)
    {
        int repeats = CompareOptions.Positive(args, "--repeats", 7);
        var paths = new[] { GemmIsa.Avx512, GemmIsa.Avx2, GemmIsa.Vector128, GemmIsa.Portable }
            .Where(p => p == GemmIsa.Portable ? System.Numerics.Vector.IsHardwareAccelerated : new KernelPath(p, GateWidth.Auto).IsSupported).ToArray();
        Console.WriteLine($"GEMM per vector path, float32, 1 thread, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {MachineInfo.LoadAverage()}");
        Console.WriteLine($"CPU: {MachineInfo.Describe()}; {repeats} repeats, paths interleaved, median GFLOP/s");
        Console.WriteLine();
        Console.WriteLine($"{"product (m×k)·(k×n)",-28}" + string.Concat(paths.Select(p => $"{p,11}")) + $"{"v128/avx2",11}");
        var rng = new SeededRng(2026);
        foreach (var (m, k, n, transB) in new[] { (256, 256, 256, false), (512, 512, 512, false), (1024, 1024, 1024, false), (2048, 256, 1024, true) })
        {
            float[] a = Tensor<float>.Uniform([m, k], -1, 1, rng).Span.ToArray();
            float[] b = Tensor<float>.Uniform(transB ? [n, k] : [k, n], -1, 1, rng).Span.ToArray();
            float[] c = new float[m * n];
            int ldb = transB ? k : n;
            var runs = paths.Select(p => (Action)(() =>
                Gemm.ComputePacked(p, GemmBlocking.For<float>(), false, transB, m, n, k, 1f, a, k, b, ldb, 0f, c, n, null))).ToArray();
            long[] calls = runs.Select(GemmComparison.Calibrate).ToArray();
            var samples = paths.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < repeats; r++)
                for (int i = 0; i < runs.Length; i++)
                    samples[i].Add(2.0 * m * n * k * calls[i] / GemmComparison.Time(runs[i], calls[i]) / 1e9);
            double[] g = samples.Select(GemmComparison.Median).ToArray();
            int v128 = Array.IndexOf(paths, GemmIsa.Vector128), avx2 = Array.IndexOf(paths, GemmIsa.Avx2);
            string ratio = v128 >= 0 && avx2 >= 0 ? (g[v128] / g[avx2]).ToString("F2", CultureInfo.InvariantCulture) : "-";
            string name = transB ? $"({m}×{k})·({n}×{k})ᵀ" : $"({m}×{k})·({k}×{n})";
            Console.WriteLine($"{name,-28}" + string.Concat(g.Select(x => $"{x,11:F1}")) + $"{ratio,11}");
        }
        return 0;
    }
}
