using BenchmarkDotNet.Attributes;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// The elementwise kernels on float32 at an LSTM gate size (32 × 1024) and at one million elements.
/// All run in place on preallocated spans; the allocation column must read 0 B (or "-").
/// Run: <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *ElementwiseBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private float[] _x = [], _y = [], _dst = [];

    [Params(32 * 1024, 1 << 20)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRng(9);
        _x = Tensor<float>.Uniform([Length], -4, 4, rng).Span.ToArray();
        _y = Tensor<float>.Uniform([Length], -4, 4, rng).Span.ToArray();
        _dst = new float[Length];
    }

    [Benchmark]
    public void Add() => Elementwise.Add<float>(_x, _y, _dst);

    [Benchmark]
    public void Tanh() => Elementwise.Tanh<float>(_x, _dst);

    [Benchmark]
    public void Sigmoid() => Elementwise.Sigmoid<float>(_x, _dst);

    [Benchmark]
    public void Exp() => Elementwise.Exp<float>(_x, _dst);

    [Benchmark]
    public float Sum() => Elementwise.Sum<float>(_x);
}
