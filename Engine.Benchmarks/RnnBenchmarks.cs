using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Benchmarks;

/// <summary>
/// Forward+backward of a two-layer LSTM / GRU / RNN (float32) at the two shapes of the brief, fused vs composed
/// path, on a 2-thread <see cref="WorkerPool"/>. Run with
/// <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *RnnBenchmarks*</c>.
/// MemoryDiagnoser shows the bytes allocated per pass: the fused path allocates its saved buffers and
/// workspaces once per call, none per time step; the composed path allocates every intermediate of every step.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RnnBenchmarks
{
    private WorkerPool _pool = null!;
    private RnnWorkload _work = null!;

    /// <summary>Layer type.</summary>
    [Params(RnnCellType.Lstm, RnnCellType.Gru, RnnCellType.Rnn)]
    public RnnCellType Cell { get; set; }

    /// <summary>Fused (default) or composed path.</summary>
    [Params(RecurrentPath.Fused, RecurrentPath.Composed)]
    public RecurrentPath Path { get; set; }

    /// <summary>H = 256: (B=32, T=64, E=64, L=2); H = 512: (B=64, T=100, E=64, L=2).</summary>
    [Params(256, 512)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = new WorkerPool(2);
        _work = new RnnWorkload(Cell, Hidden == 256 ? RnnShape.Small : RnnShape.Large, Path, _pool);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <summary>One forward+backward pass.</summary>
    [Benchmark]
    public float ForwardBackward() => _work.Step();
}
