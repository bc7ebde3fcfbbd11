using System.Diagnostics;
using System.Runtime.ExceptionServices;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

/// <summary>
/// The forward and backward passes of one batch in P micro-batches (<see cref="TrainingOptions.MicroBatches"/>):
/// <code>
/// r_p = rng.Fork()                       p = 0 … P−1, in order on the caller: part p's dropout draws
/// L_p = task.TrainingLoss(e, i, p, P)    part p on one thread (its products on a pool of its own when threads ≥ 2P)
/// g_p = ∂L_p/∂θ                          part 0 into the parameters' gradients, part p &gt; 0 into its own buffers
/// g = (…((g_0 + g_1) + g_2) …) + g_{P−1}  in part order, element-wise on the pool
/// L = Σ_p L_p                            in part order, in double
/// </code>
/// The parts are the pool's work items: with two threads two parts run at once, each with no synchronisation until its
/// backward pass ends; with one thread they run one after the other; with at least two threads per part each part gets a
/// pool of its own for its matrix products. Every value is the same either way: a part's values do not depend on which
/// threads run it, and the sums run in part order (docs/training.md#micro-batches).
/// </summary>
internal sealed class MicroBatchStep<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IMicroBatchedTask<T> _task;
    private readonly int _parts;
    private readonly LeafGradients<T>[] _gradients;   // parts 1 … P−1
    private readonly SeededRng[] _rng;
    private readonly double[] _loss;
    private readonly long[] _tokens, _forwardTicks, _backwardTicks;
    private readonly ExceptionDispatchInfo?[] _errors;
    private int _epoch, _batch;
    private WorkerPool[]? _partPools;   // with at least two threads per part: each part's own pool of Threads / P threads

    public MicroBatchStep(IMicroBatchedTask<T> task, int parts)
    {
        (_task, _parts) = (task, parts);
        _gradients = new LeafGradients<T>[parts - 1];
        for (int p = 0; p < _gradients.Length; p++) _gradients[p] = new LeafGradients<T>();
        (_rng, _loss, _tokens) = (new SeededRng[parts], new double[parts], new long[parts]);
        (_forwardTicks, _backwardTicks, _errors) = (new long[parts], new long[parts], new ExceptionDispatchInfo?[parts]);
    }

    /// <summary>
    /// Runs every part of batch (<paramref name="epoch"/>, <paramref name="batch"/>) on <paramref name="pool"/> and adds the parts'
    /// gradients into <paramref name="parameters"/>' own. Returns Σ_p L_p, the tokens, and the shares of the wall time spent in
    /// forward and in backward passes (summed over parts). A part whose loss is not finite skips its backward pass; the
    /// caller sees the sum and stops the run.
    /// </summary>
    public (double Loss, long Tokens, double ForwardShare) Run(int epoch, int batch, SeededRng dropoutRng, IReadOnlyList<Var<T>> parameters, WorkerPool pool)
    {
        (_epoch, _batch) = (epoch, batch);
        if (_partPools is null && pool.Threads >= 2 * _parts)
        {
            _partPools = new WorkerPool[_parts];
            for (int p = 0; p < _parts; p++) _partPools[p] = new WorkerPool(pool.Threads / _parts);
        }
        for (int p = 0; p < _parts; p++) _rng[p] = dropoutRng.Fork();
        Array.Clear(_errors);
        pool.Run(_parts, this);
        foreach (var error in _errors) error?.Throw();   // the first failed part, in part order, whatever thread ran it
        double loss = 0, forward = 0, backward = 0;
        long tokens = 0;
        for (int p = 0; p < _parts; p++)
        {
            loss += _loss[p];
            tokens += _tokens[p];
            forward += _forwardTicks[p];
            backward += _backwardTicks[p];
        }
        foreach (var gradients in _gradients) GradientSweep<T>.Accumulate(parameters, gradients, pool);
        return (loss, tokens, forward + backward > 0 ? forward / (forward + backward) : 1);
    }

    /// <summary>Stops the parts' own pools (a later <see cref="Run"/> starts them again).</summary>
    public void ReleasePools()
    {
        if (_partPools is null) return;
        foreach (var p in _partPools) p.Dispose();
        _partPools = null;
    }

    /// <summary>Part <paramref name="part"/>: its loss with a graph, then its backward pass.</summary>
    public void Execute(int part)
    {
        try
        {
            using var scope = LeafGradients<T>.Enter(part == 0 ? null : _gradients[part - 1]);   // part 0: the parameters' own gradients
            long t0 = Stopwatch.GetTimestamp();
            var (loss, tokens) = _task.TrainingLoss(_epoch, _batch, part, _parts, new LayerContext(_rng[part], _partPools?[part]));
            double value = double.CreateTruncating(loss.Value.Span[0]);
            (_loss[part], _tokens[part]) = (value, tokens);
            long t1 = Stopwatch.GetTimestamp();
            if (double.IsFinite(value) && loss.RequiresGrad) loss.Backward();   // an empty part (a batch with fewer rows than parts) has no graph
            (_forwardTicks[part], _backwardTicks[part]) = (t1 - t0, Stopwatch.GetTimestamp() - t1);
        }
        catch (Exception e)
        {
            _errors[part] = ExceptionDispatchInfo.Capture(e);
        }
    }
}
