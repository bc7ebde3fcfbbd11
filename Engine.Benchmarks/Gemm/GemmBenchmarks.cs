using BenchmarkDotNet.Attributes;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// Float32 GEMM C = A·B on the square sizes and the two LSTM-shaped products of the language model
/// (a (32, 320) input batch times the (320, 1024) stacked gate weights; (2048, 256) hidden states times a
/// (256, 65) vocabulary projection), on 1 and 2 threads. The allocation column must read 0 B (or "-").
/// Run: <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *GemmBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private WorkerPool? _pool;
    private int _m, _n, _k;

    /// <summary>"M×K×N" of (M, K)·(K, N).</summary>
    [Params("64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
        "32x320x1024", "2048x256x65")]
    public string Shape { get; set; } = "64x64x64";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int[] s = Shape.Split('x').Select(int.Parse).ToArray();
        (_m, _k, _n) = (s[0], s[1], s[2]);
        var rng = new SeededRng(7);
        _a = Tensor<float>.Uniform([_m, _k], -1, 1, rng).Span.ToArray();
        _b = Tensor<float>.Uniform([_k, _n], -1, 1, rng).Span.ToArray();
        _c = new float[_m * _n];
        _pool = Threads > 1 ? new WorkerPool(Threads) : null;
    }

    [GlobalCleanup]
    public void Cleanup() => _pool?.Dispose();

    [Benchmark]
    public void Sgemm() => Gemm.Compute(false, false, _m, _n, _k, 1f, _a, _k, _b, _n, 0f, _c, _n, _pool);
}
