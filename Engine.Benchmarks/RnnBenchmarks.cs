using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Benchmarks;

/// <summary>
/// Forward+backward of a two-layer LSTM / GRU / RNN (float32) at the two benchmark shapes, fused vs composed
/// path, on a 2-thread <see cref="WorkerPool"/>. Run with
/// <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *RnnBenchmarks*</c>.
/// MemoryDiagnoser shows the bytes allocated per pass: the fused path allocates its saved buffers and
/// workspaces once per call, none per time step; the composed path allocates every intermediate of every step.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FewIterations))]
public class RnnBenchmarks
{
    /// <summary>
    /// In-process, one warm-up and five measured passes: a pass takes 0.05–5 s, and the composed path at H = 512 would
    /// otherwise run for hours. <see cref="Setup"/> runs the passes that bring the JIT to optimised code first. The
    /// passes are the default job: a job named on the command line (<c>--job dry</c>) replaces it instead of running
    /// beside it, and runs in-process too.
    /// </summary>
    private sealed class FewIterations : ManualConfig
    {
        public FewIterations()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).AsDefault());
            AddJob(new Job().WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
        }
    }

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
        // Tiered compilation optimises a method only after it has run a while (at H = 256 the first 15 passes run
        // up to 2x slower than the steady state), so one warm-up pass would leave tier-0 code in the measured ones:
        // passes for at least 2 s and at least 3, untimed, as compare rnn warms up. Each pass writes the layer's
        // gradients (state on the heap), so none can be optimised away; its loss is not needed.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 3 || clock.Elapsed.TotalSeconds < 2; n++) _work.Step();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <summary>One forward+backward pass.</summary>
    [Benchmark]
    public float ForwardBackward() => _work.Step();
}
