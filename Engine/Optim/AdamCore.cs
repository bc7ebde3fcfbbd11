using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// The moment estimates and the update shared by <see cref="Adam{T}"/> and <see cref="AdamW{T}"/> (they
/// differ only in where the weight decay enters). Holds m, v and t per parameter. A step queues every parameter's update
/// (<see cref="Queue"/>) and runs them all as one parallel loop over fixed chunks (<see cref="Run"/>).
/// </summary>
internal sealed class AdamCore<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Elements per work item: 128 KiB of float θ, a multiple of every vector width.</summary>
    public const int ChunkSize = 1 << 15;

    private readonly Tensor<T>?[] _m;
    private readonly Tensor<T>?[] _v;
    private readonly long[] _t;
    // The step being run: the queued parameters, their θ, g and coefficients, and the first work item of each.
    private readonly int[] _queue, _firstItem;
    private readonly Tensor<T>?[] _theta, _grad;
    private readonly AdamCoefficients<T>[] _coefficients;
    private int _queued;
    private T _shrink = T.One, _gradScale = T.One;
    private bool _clearGrad;

    public AdamCore(int parameterCount)
    {
        _m = new Tensor<T>?[parameterCount];
        _v = new Tensor<T>?[parameterCount];
        _t = new long[parameterCount];
        (_queue, _firstItem) = (new int[parameterCount], new int[parameterCount + 1]);
        (_theta, _grad) = (new Tensor<T>?[parameterCount], new Tensor<T>?[parameterCount]);
        _coefficients = new AdamCoefficients<T>[parameterCount];
    }

    /// <summary>
    /// Queues one Adam update of parameter <paramref name="p"/> for <see cref="Run"/>, with gradient g (which already
    /// includes any L2 term λθ):
    /// <code>
    /// t ← t + 1
    /// m ← β₁ m + (1 − β₁) g
    /// v ← β₂ v + (1 − β₂) g²
    /// θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)      (= θ − η m̂ / (√v̂ + ε))
    /// </code>
    /// The denominator is computed in PyTorch's operation order; PyTorch's <c>addcdiv</c> multiplies m by the step size before it
    /// divides, where this divides first, so a float step can differ from PyTorch's in its last bit (docs/optim.md#adam).
    /// </summary>
    public void Queue(int p, Tensor<T> theta, Tensor<T> grad, double eta, double beta1, double beta2, double epsilon, double l2)
    {
        _m[p] ??= Tensor<T>.Zeros(theta.Length);
        _v[p] ??= Tensor<T>.Zeros(theta.Length);
        long t = ++_t[p];
        T b1 = T.CreateTruncating(beta1), oneMinusB1 = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), oneMinusB2 = T.CreateTruncating(1 - beta2);
        T lambda = T.CreateTruncating(l2);
        T eps = T.CreateTruncating(epsilon);
        T stepSize = T.CreateTruncating(eta / (1 - Math.Pow(beta1, t)));      // η / (1 − β₁ᵗ)
        T sqrtBc2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));    // √(1 − β₂ᵗ)
        int q = _queued++;
        (_queue[q], _theta[q], _grad[q]) = (p, theta, grad);
        _coefficients[q] = new AdamCoefficients<T>(b1, oneMinusB1, b2, oneMinusB2, lambda, eps, stepSize, sqrtBc2);
        _firstItem[q + 1] = _firstItem[q] + ShapeUtil.CeilDiv(theta.Length, ChunkSize);
    }

    /// <summary>
    /// Runs the queued updates, first scaling θ by <paramref name="shrink"/> when it is not 1 (AdamW's decoupled decay
    /// θ ← (1 − ηλ) θ), in chunks of <see cref="ChunkSize"/> elements on <paramref name="pool"/> (or the calling thread).
    /// Each gradient enters as <paramref name="gradScale"/>·∇; with <paramref name="clearGrad"/> each chunk of ∇ is set to zero
    /// right after its update, while it is still in cache. Every element is updated on its own, so the result is the same on
    /// any number of threads.
    /// </summary>
    public void Run(WorkerPool? pool, T shrink, T gradScale, bool clearGrad)
    {
        (_shrink, _gradScale, _clearGrad) = (shrink, gradScale, clearGrad);
        int items = _firstItem[_queued];
        try
        {
            if (pool is null || items < 2)
                for (int i = 0; i < items; i++) Execute(i);
            else
                pool.Run(items, this);
        }
        finally
        {
            Array.Clear(_theta, 0, _queued);
            Array.Clear(_grad, 0, _queued);
            _queued = 0;
        }
    }

    /// <summary>Chunk <paramref name="index"/> of the queued updates.</summary>
    public void Execute(int index)
    {
        int q = ParameterChunks.Owner(_firstItem, _queued, index);
        int p = _queue[q], start = (index - _firstItem[q]) * ChunkSize;
        var thetaAll = _theta[q]!.Span;
        int length = Math.Min(ChunkSize, thetaAll.Length - start);
        var theta = thetaAll.Slice(start, length);
        if (_shrink != T.One) TensorPrimitives.Multiply(theta, _shrink, theta);
        var grad = _grad[q]!.Span.Slice(start, length);
        AdamKernel.Update(theta, grad, _m[p]!.Span.Slice(start, length), _v[p]!.Span.Slice(start, length), _coefficients[q], _gradScale);
        if (_clearGrad) grad.Clear();
    }

    public ParameterState<T> Export(int p, int[] shape) =>
        new(_t[p], ExpAvg: _m[p]?.Clone().Reshape(shape), ExpAvgSq: _v[p]?.Clone().Reshape(shape));

    /// <summary>Throws when <paramref name="s"/> is not a valid Adam state (run on every parameter before any is imported).</summary>
    public static void Check(ParameterState<T> s, string optimizerName, string parameterName)
    {
        if (s.MomentumBuffer is not null)
            throw new ArgumentException($"{optimizerName}.ImportState: {parameterName} carries an SGD momentum buffer; this is not an Adam state.", "state");
        if ((s.ExpAvg is null) != (s.ExpAvgSq is null) || (s.ExpAvg is null && s.Step != 0))
            throw new ArgumentException($"{optimizerName}.ImportState: {parameterName} has step {s.Step} but {(s.ExpAvg is null ? "no exp_avg" : "exp_avg")} and {(s.ExpAvgSq is null ? "no exp_avg_sq" : "exp_avg_sq")}; both moments are needed once t > 0.", "state");
    }

    /// <summary>Replaces parameter <paramref name="p"/>'s moments and step count by copies of <paramref name="s"/>'s (checked by <see cref="Check"/>).</summary>
    public void Import(int p, ParameterState<T> s)
    {
        _t[p] = s.Step;
        _m[p] = s.ExpAvg?.Clone().Reshape(-1);
        _v[p] = s.ExpAvgSq?.Clone().Reshape(-1);
    }
}
