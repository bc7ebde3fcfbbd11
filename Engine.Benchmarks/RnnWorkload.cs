using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>A recurrent layer type measured by the RNN benchmarks.</summary>
public enum RnnCellType { Lstm, Gru, Rnn }

/// <summary>One benchmark shape: batch B, steps T, input E, hidden H, layers L.</summary>
public sealed record RnnShape(int B, int T, int E, int H, int L)
{
    /// <summary>The two benchmark shapes: a small and a large training batch (docs/results/2026-12.md, RNN section).</summary>
    public static readonly RnnShape Small = new(32, 64, 64, 256, 2);

    /// <inheritdoc cref="Small"/>
    public static readonly RnnShape Large = new(64, 100, 64, 512, 2);

    /// <inheritdoc/>
    public override string ToString() => $"B={B} T={T} E={E} H={H} L={L}";
}

/// <summary>
/// One forward+backward pass of a two-layer recurrent layer in float32: x (B, T, E) requires a gradient,
/// loss = Σ output, the input's and parameters' gradients zeroed before the pass (where PyTorch sets them to None and
/// its allocator hands the freed memory back), the output released after it. The same work as scripts/compare_rnn_torch.py.
/// </summary>
public sealed class RnnWorkload
{
    private readonly RecurrentLayer<float> _layer;
    private readonly Var<float> _x;
    private readonly WorkerPool? _pool;

    /// <summary>Builds the layer and a fixed random input; <paramref name="parallelSteps"/> is <see cref="RecurrentOptions.ParallelSteps"/>.</summary>
    public RnnWorkload(RnnCellType cell, RnnShape shape, RecurrentPath path, WorkerPool? pool, bool parallelSteps = true)
    {
        var rng = new SeededRng(2026);
        var options = new RecurrentOptions(shape.L, Path: path, ParallelSteps: parallelSteps);
        _layer = cell switch
        {
            RnnCellType.Lstm => new Lstm<float>(shape.E, shape.H, rng, options),
            RnnCellType.Gru => new Gru<float>(shape.E, shape.H, rng, options),
            _ => new Rnn<float>(shape.E, shape.H, rng, options),
        };
        _x = new Var<float>(Tensor<float>.Normal([shape.B, shape.T, shape.E], 0f, 1f, rng), requiresGrad: true);
        _pool = pool;
    }

    /// <summary>Runs one pass; returns the loss so the work cannot be optimised away.</summary>
    public float Step()
    {
        _layer.ZeroGrad();
        _x.ZeroGrad();
        var (y, _) = _layer.Forward(_x, pool: _pool);
        var loss = Ops.Sum(y);
        loss.Backward();
        y.Release(); // as the Python loop's `out` is freed when the next pass rebinds it
        return loss.Value.Span[0];
    }
}
