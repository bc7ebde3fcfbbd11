using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// One pass over the gradients of a parameter list on a <see cref="WorkerPool"/>, in fixed chunks: zeroing them
/// (<see cref="Optimizer{T}.ZeroGrad"/>), the per-chunk parts of a global norm (<see cref="GradClip"/>), scaling
/// them by one factor, or adding a micro-batch's separate gradients into them. Without a pool of several threads, zeroing and scaling run as plain loops on the caller. A chunk's result depends only on its elements and the parts are combined in parameter and
/// chunk order on the caller, so every result is bit-identical to the one-thread loop. One reusable instance per
/// calling thread: a pass allocates nothing once its part buffer has grown to the model's size.
/// </summary>
internal sealed class GradientSweep<T> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Elements per norm part; the one-thread norm sums the same parts (GradClip).</summary>
    public const int PartSize = 4096;

    /// <summary>Norm parts per work item (128 KiB of floats).</summary>
    private const int PartsPerItem = 8;

    private enum Mode { Zero, NormParts, Scale, Accumulate }

    [ThreadStatic] private static GradientSweep<T>? s_current;

    private Tensor<T>?[] _grads = [], _sources = [];
    private int[] _firstItem = [0], _firstPart = [0];
    private int _count;
    private Mode _mode;
    private double _normType;
    private T _scale;
    private double[] _parts = [];

    private static GradientSweep<T> ForThisThread() => s_current ??= new GradientSweep<T>();

    /// <summary>Whether a pass runs on <paramref name="pool"/> (it has more than one thread).</summary>
    public static bool UsesPool(WorkerPool? pool) => pool is { Threads: > 1 };

    /// <summary>g ← 0 for every parameter that has a gradient, on <paramref name="pool"/> when it has several threads.</summary>
    public static void Zero(IReadOnlyList<Var<T>> parameters, WorkerPool? pool)
    {
        if (!UsesPool(pool))
        {
            for (int p = 0; p < parameters.Count; p++) parameters[p].ZeroGrad();
            return;
        }
        var sweep = ForThisThread();
        sweep.Load(parameters);
        sweep.Execute(pool!, Mode.Zero);
    }

    /// <summary>g ← <paramref name="scale"/>·g for every parameter that has a gradient, on <paramref name="pool"/> when it has several threads.</summary>
    public static void Scale(IReadOnlyList<Var<T>> parameters, T scale, WorkerPool? pool)
    {
        if (!UsesPool(pool))
        {
            for (int p = 0; p < parameters.Count; p++)
                if (parameters[p].Grad is { } g) TensorPrimitives.Multiply(g.Span, scale, g.Span);
            return;
        }
        var sweep = ForThisThread();
        sweep.Load(parameters);
        sweep._scale = scale;
        sweep.Execute(pool!, Mode.Scale);
    }

    /// <summary>
    /// g ← g + s, then s ← 0, for every parameter that has a buffer s in <paramref name="from"/> (g created as zeros when the
    /// parameter has none yet), in chunks on <paramref name="pool"/> (on the caller when it has one thread). Element-wise, so
    /// bit-identical on any pool.
    /// </summary>
    public static void Accumulate(IReadOnlyList<Var<T>> parameters, LeafGradients<T> from, WorkerPool pool)
    {
        var sweep = ForThisThread();
        int n = parameters.Count;
        sweep.Resize(n);
        sweep._count = n;
        for (int p = 0; p < n; p++)
        {
            var source = from.Of(parameters[p]);
            sweep._sources[p] = source;
            sweep._grads[p] = source is null ? null : parameters[p].Grad ??= Tensor<T>.ZerosLike(parameters[p].Value);
            sweep.Count(p, source);
        }
        sweep.Execute(pool, Mode.Accumulate);
    }

    /// <summary>
    /// Σ over parameters and parts of part(chunk) (or their maximum for the ∞-norm), combined in order on the caller as
    /// <see cref="GradClip.GlobalNorm{T}(IReadOnlyList{Var{T}}, double)"/> combines them; NaN when any part is NaN.
    /// </summary>
    public static double CombinedParts(IReadOnlyList<Var<T>> parameters, double normType, WorkerPool pool)
    {
        var sweep = ForThisThread();
        sweep.Load(parameters);
        sweep._normType = normType;
        int parts = sweep._firstPart[sweep._count];
        if (sweep._parts.Length < parts) sweep._parts = new double[parts];
        sweep.Execute(pool, Mode.NormParts);
        bool inf = double.IsPositiveInfinity(normType);
        double acc = 0;
        for (int i = 0; i < parts; i++)
        {
            double part = sweep._parts[i];
            if (double.IsNaN(part)) return double.NaN;
            acc = inf ? Math.Max(acc, part) : acc + part;
        }
        return acc;
    }

    private void Load(IReadOnlyList<Var<T>> parameters)
    {
        int n = parameters.Count;
        Resize(n);
        _count = n;
        for (int p = 0; p < n; p++)
        {
            var g = parameters[p].Grad;
            _grads[p] = g;
            Count(p, g);
        }
    }

    private void Resize(int n)
    {
        if (_grads.Length >= n) return;
        _grads = new Tensor<T>?[n];
        _sources = new Tensor<T>?[n];
        _firstItem = new int[n + 1];
        _firstPart = new int[n + 1];
    }

    /// <summary>Parts and items of parameter <paramref name="p"/>, whose chunked tensor is <paramref name="g"/> (none when null).</summary>
    private void Count(int p, Tensor<T>? g)
    {
        int parts = g is null ? 0 : ShapeUtil.CeilDiv(g.Length, PartSize);
        _firstPart[p + 1] = _firstPart[p] + parts;
        _firstItem[p + 1] = _firstItem[p] + (parts + PartsPerItem - 1) / PartsPerItem;
    }

    private void Execute(WorkerPool pool, Mode mode)
    {
        _mode = mode;
        try
        {
            pool.Run(_firstItem[_count], this);
        }
        finally
        {
            Array.Clear(_grads, 0, _count);
            Array.Clear(_sources, 0, _count);
        }
    }

    /// <summary>Work item <paramref name="index"/>: up to <see cref="PartsPerItem"/> parts of one parameter's gradient.</summary>
    public void Execute(int index)
    {
        int p = ParameterChunks.Owner(_firstItem, _count, index);
        var g = _grads[p]!.Span;
        int firstPart = (index - _firstItem[p]) * PartsPerItem;
        int start = firstPart * PartSize, length = Math.Min(PartsPerItem * PartSize, g.Length - start);
        var items = g.Slice(start, length);
        switch (_mode)
        {
            case Mode.Zero: items.Clear(); break;
            case Mode.Scale: TensorPrimitives.Multiply(items, _scale, items); break;
            case Mode.Accumulate:
                var source = _sources[p]!.Span.Slice(start, length);
                TensorPrimitives.Add(items, source, items);
                source.Clear();
                break;
            default:
                for (int k = 0, i = 0; i < length; k++, i += PartSize)
                    _parts[_firstPart[p] + firstPart + k] = GradClip.Part<T>(items.Slice(i, Math.Min(PartSize, length - i)), _normType);
                break;
        }
    }
}
