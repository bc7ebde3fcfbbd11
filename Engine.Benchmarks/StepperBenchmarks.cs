using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// One batch-1 step of <see cref="LanguageModelStepper"/> on the tiny-shakespeare config (V = 65, E = 64, 2-layer
/// LSTM, H = 256, random init), on 1 and 2 threads, float32, bfloat16 and int8 matrices: <c>Advance</c> (in place), <c>Step</c> (returns a new state,
/// for beam search) and <c>Advance</c> + <see cref="Sampler.Sample"/> (one generated character). Run with
/// <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *StepperBenchmarks*</c>. MemoryDiagnoser: 0 B
/// for <c>Advance</c> and sampling; <c>Step</c> allocates only the returned state.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcess))]
public class StepperBenchmarks
{
    /// <summary>
    /// In-process, BenchmarkDotNet's short run as the default job: a job named on the command line (<c>--job dry</c>)
    /// replaces it instead of running beside it, and runs in-process too.
    /// </summary>
    private sealed class InProcess : ManualConfig
    {
        public InProcess()
        {
            AddJob(Job.ShortRun.AsDefault());
            AddJob(new Job().WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
        }
    }

    private WorkerPool? _pool;
    private LanguageModelStepper _stepper = null!;
    private LanguageModelStepState _state = null!;
    private readonly float[] _logits = new float[65];
    private readonly Sampler _sampler = new(65);
    private readonly SamplingOptions _options = new();
    private readonly SeededRng _rng = new(3);
    private int _token;

    /// <summary>Threads per step (1: caller only; 2: a <see cref="WorkerPool"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Float32 weights, bfloat16 or int8 matrices.</summary>
    [Params(StepperPrecision.Float32, StepperPrecision.BFloat16, StepperPrecision.Int8)]
    public StepperPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = new LanguageModel<float>(new LanguageModelConfig(65, 64, 256, 2), new SeededRng(1));
        _pool = Threads > 1 ? new WorkerPool(Threads) : null;
        _stepper = new LanguageModelStepper(model, _pool, Precision);
        _state = _stepper.InitialState();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool?.Dispose();

    /// <summary>One step in place.</summary>
    [Benchmark(Baseline = true)]
    public float Advance()
    {
        _token = (_token + 1) % 65;
        _stepper.Advance(_token, _state, _logits);
        return _logits[0];
    }

    /// <summary>One step returning a new state (the <see cref="ITokenModel{TState}"/> contract).</summary>
    [Benchmark]
    public LanguageModelStepState Step()
    {
        _token = (_token + 1) % 65;
        return _stepper.Step(_token, _state, _logits);
    }

    /// <summary>One generated character: sample from the logits, then step with it.</summary>
    [Benchmark]
    public int SampleAndAdvance()
    {
        int token = _sampler.Sample(_logits, _options, _rng);
        _stepper.Advance(token, _state, _logits);
        return token;
    }
}
