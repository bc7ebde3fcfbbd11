using System.Buffers;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The decoder and the loss of a language model in one op:
    /// <code>
    /// z = x Wᵀ + b                          x (N, H), W (V, H), b (V)  →  z (N, V)
    /// ℓₙ = log Σⱼ exp(zₙⱼ) − zₙ,tₙ           loss = w Σₙ ℓₙ,  w = 1 (Sum) or 1/C (Mean over the C counted rows)
    /// ℓₙ = log Σⱼ exp(zₙⱼ) − (1 − ε) zₙ,tₙ − ε mean(zₙ)     with label smoothing ε (targets (1 − ε) onehot + ε/V)
    /// </code>
    /// It equals <c>SoftmaxCrossEntropy(MatMul(x, W, transposeB: true) + b, targets)</c>, but the (N, V) logits
    /// never become a value of the graph. Forward writes them into one pooled buffer and turns each row, in place,
    /// into G = ∂loss/∂z, Gₙ = w (softmax(zₙ) − (1 − ε) onehot(tₙ) − ε/V), which is everything backward needs. Rows whose
    /// target is <paramref name="ignoreIndex"/> (padding) have Gₙ = 0, so they are left out of all four products: only the
    /// C counted rows are multiplied, which at 37 % padding (a translation batch) saves 37 % of the op's arithmetic.
    /// With ∂L/∂loss = s, backward is three products over that buffer:
    /// <code>
    /// ∂L/∂x += s · G W        ∂L/∂W += s · Gᵀ x        ∂L/∂b += s · Σₙ Gₙ
    /// </code>
    /// At V = 10,000 this saves four (N, V) tensors per step (bias output, softmax, two gradients), which is
    /// most of a word-level step's time. <paramref name="bias"/> may be null. Rows run in parallel on
    /// <paramref name="pool"/>; the loss is summed in row order, so it does not depend on the thread count.
    /// docs/lm.md#fused-loss derives it.
    /// </summary>
    public static Var<T> LinearCrossEntropy<T>(Var<T> x, Var<T> weight, Var<T>? bias, int[] targets,
        Reduction reduction = Reduction.Mean, int ignoreIndex = -100, WorkerPool? pool = null, double labelSmoothing = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckLabelSmoothing(labelSmoothing, "LinearCrossEntropy");
        Checks.Defined(reduction, "LinearCrossEntropy", nameof(reduction));
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(targets);
        var (xv, wv) = (x.Value, weight.Value);
        if (xv.Rank != 2 || wv.Rank != 2 || xv.Dim(1) != wv.Dim(1))
            throw new ArgumentException($"LinearCrossEntropy: x must be (N, H) and W (V, H), got x {xv.ShapeString} and W {wv.ShapeString}.", xv.Rank != 2 ? nameof(x) : nameof(weight));
        int n = xv.Dim(0), h = xv.Dim(1), v = wv.Dim(0);
        if (bias is not null && (bias.Value.Rank != 1 || bias.Value.Dim(0) != v))
            throw new ArgumentException($"LinearCrossEntropy: the bias must be (V) = ({v}), got {bias.Value.ShapeString} for W {wv.ShapeString}.", nameof(bias));
        if (targets.Length != n)
            throw new ArgumentException($"LinearCrossEntropy: {targets.Length} targets for x {xv.ShapeString} (N = {n}).", nameof(targets));
        int counted = CountTargets(targets, v, ignoreIndex, "LinearCrossEntropy");
        ShapeUtil.ArrayLength((long)counted * v, "LinearCrossEntropy",   // the (C, V) logits buffer below is one array
            $"the logits of the C = {counted} counted rows of x {xv.ShapeString} by W {wv.ShapeString}, C·V = {counted}·{v}",
            "use fewer target rows per batch or a smaller vocabulary.");
        T w = reduction == Reduction.Sum || counted == 0 ? T.One : T.One / T.CreateTruncating(counted);

        // Ignored rows (padding) add nothing to the loss or to any gradient, so only the C counted rows are multiplied:
        // rowOf[i] is the row of x behind counted row i, xc (C, H) their copy. Without ignored rows xc is x itself.
        var rows = counted == n ? null : new CountedRows<T>(xv, targets, counted, ignoreIndex);
        int c = counted;
        var g = c * v == 0 ? [] : ArrayPool<T>.Shared.Rent(c * v);                 // z, then G, (C, V)
        Gemm.Compute(false, true, c, v, h, T.One, rows is null ? xv.Span : rows.X, h, wv.Span, h, T.Zero, g.AsSpan(0, c * v), v, pool);
        var pass = new LinearCrossEntropyRows<T>(g, bias?.Value, rows?.Targets ?? targets, v, w, ignoreIndex, T.CreateTruncating(labelSmoothing), pool);
        pass.Run(c);
        T total = T.Zero;
        foreach (var l in pass.RowLoss) total += l;
        var loss = Tensor<T>.Scalar(total * w);

        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        if (!Node<T>.Tracks(inputs))
        {
            if (g.Length > 0) ArrayPool<T>.Shared.Return(g);
            rows?.Return();
            return Var<T>.FromOp(loss, null);
        }
        return Var<T>.FromOp(loss, new LinearCrossEntropyNode<T>(x, weight, bias, g, c, v, rows, pool, inputs));
    }
}

/// <summary>
/// The row pass of <see cref="Ops.LinearCrossEntropy{T}"/>: for each row, z ← z + b, ℓ = log Σ exp(z − m) + m − z_t
/// (m = max z, so exp never overflows) and z ← w (exp(z − m) / Σ exp(z − m) − onehot(t)); with label smoothing ε,
/// ℓ = log Σ exp(z) − (1 − ε) z_t − ε mean(z) and z ← w (p − (1 − ε) onehot(t) − ε/V). Rows are independent and
/// cut into fixed ranges, so each value is computed the same way on any number of threads.
/// </summary>
internal sealed class LinearCrossEntropyRows<T>(T[] g, Tensor<T>? bias, int[] targets, int v, T w, int ignoreIndex, T epsilon, WorkerPool? pool)
    : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int RowsPerItem = 16;

    public T[] RowLoss { get; } = new T[targets.Length];

    public void Run(int n)
    {
        int items = (n + RowsPerItem - 1) / RowsPerItem;
        if (pool is null || items < 2)
            for (int i = 0; i < items; i++) Execute(i);
        else
            pool.Run(items, this);
    }

    public void Execute(int index)
    {
        int end = Math.Min(targets.Length, (index + 1) * RowsPerItem);
        for (int r = index * RowsPerItem; r < end; r++)
        {
            var z = g.AsSpan(r * v, v);
            int t = targets[r];
            if (t == ignoreIndex)
            {
                z.Clear();
                continue;
            }
            if (bias is not null) TensorPrimitives.Add<T>(z, bias.Span, z);      // z = x Wᵀ + b
            T m = TensorPrimitives.Max<T>(z);
            T zt = z[t];
            T zMean = epsilon == T.Zero ? T.Zero : TensorPrimitives.Sum<T>(z) / T.CreateTruncating(v);
            TensorPrimitives.Subtract<T>(z, m, z);
            TensorPrimitives.Exp<T>(z, z);                                        // exp(z − m)
            T sum = TensorPrimitives.Sum<T>(z);
            T lse = T.Log(sum) + m;                                               // log Σ exp(z)
            RowLoss[r] = lse - (T.One - epsilon) * zt - epsilon * zMean;          // ℓ = lse − (1 − ε) z_t − ε mean(z)
            TensorPrimitives.Multiply<T>(z, w / sum, z);                          // w p
            if (epsilon != T.Zero) TensorPrimitives.Subtract<T>(z, w * epsilon / T.CreateTruncating(v), z);   // − w ε / V
            z[t] -= w * (T.One - epsilon);                                        // w (p − (1 − ε) onehot(t) − ε / V)
        }
    }
}

internal sealed class LinearCrossEntropyNode<T>(Var<T> x, Var<T> weight, Var<T>? bias, T[] g, int n, int v, CountedRows<T>? rows, WorkerPool? pool, Var<T>[] inputs)
    : Node<T>(inputs), IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int ColumnsPerItem = 1024;
    private T[]? _g = g;
    private T _s;
    private Tensor<T>? _gb;

    protected override void Backward(Tensor<T> gradOutput)
    {
        var gs = (_g ?? throw new InvalidOperationException("LinearCrossEntropy: backward ran twice.")).AsSpan(0, n * v);
        T s = gradOutput.Span[0];
        int h = x.Value.Dim(1);
        if (x.RequiresGrad && rows is null)
            GradientProduct.Add(false, false, n, h, v, s, gs, v, weight.Value.Span, h, GradOf(x).Span, pool);             // += s G W
        if (x.RequiresGrad && rows is not null)
        {
            var gx = GradOf(x).Span;                                                                             // 0 in ignored rows
            var gxc = n == 0 ? [] : ArrayPool<T>.Shared.Rent(n * h);
            Gemm.Compute(false, false, n, h, v, s, gs, v, weight.Value.Span, h, T.Zero, gxc.AsSpan(0, n * h), h, pool);   // s G W, counted rows
            rows.ScatterAdd(gxc, gx, h);
            if (gxc.Length > 0) ArrayPool<T>.Shared.Return(gxc);
        }
        if (weight.RequiresGrad)
            GradientProduct.Add(true, false, v, h, n, s, gs, v, rows is null ? x.Value.Span : rows.X, h, GradOf(weight).Span, pool);   // += s Gᵀ x
        if (bias is not null && bias.RequiresGrad)
        {
            (_s, _gb) = (s, GradOf(bias));                                                                       // += s Σₙ Gₙ
            int items = (v + ColumnsPerItem - 1) / ColumnsPerItem;
            if (pool is null || items < 2)
                for (int i = 0; i < items; i++) Execute(i);
            else
                pool.Run(items, this);
        }
        if (_g.Length > 0) ArrayPool<T>.Shared.Return(_g);
        _g = null;
        rows?.Return();
    }

    /// <summary>Columns [1024·index, +1024) of ∂L/∂b += s Σₙ Gₙ, rows added in order (the same on any thread count).</summary>
    public void Execute(int index)
    {
        int j0 = index * ColumnsPerItem, width = Math.Min(ColumnsPerItem, v - j0);
        var gb = _gb!.Span.Slice(j0, width);
        for (int r = 0; r < n; r++) TensorPrimitives.MultiplyAdd<T>(_g.AsSpan(r * v + j0, width), _s, gb, gb);
    }
}

/// <summary>
/// The counted (not ignored) rows of <see cref="Ops.LinearCrossEntropy{T}"/>'s input, in order: their targets, their copy
/// X (C, H) in a pooled buffer, and where each came from, so backward can add ∂L/∂x back into the original rows.
/// </summary>
internal sealed class CountedRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int[] _rowOf;
    private T[]? _x;
    private readonly int _h;

    public CountedRows(Tensor<T> x, int[] targets, int counted, int ignoreIndex)
    {
        _h = x.Dim(1);
        (_rowOf, Targets) = (new int[counted], new int[counted]);
        _x = counted == 0 ? [] : ArrayPool<T>.Shared.Rent(counted * _h);
        var xs = x.Span;
        for (int r = 0, i = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            (_rowOf[i], Targets[i]) = (r, targets[r]);
            xs.Slice(r * _h, _h).CopyTo(_x.AsSpan(i * _h, _h));
            i++;
        }
    }

    /// <summary>The targets of the counted rows.</summary>
    public int[] Targets { get; }

    /// <summary>The counted rows of x, (C, H).</summary>
    public ReadOnlySpan<T> X => (_x ?? throw new InvalidOperationException("LinearCrossEntropy: backward ran twice.")).AsSpan(0, _rowOf.Length * _h);

    /// <summary>grad[rowOf[i]] += gc[i] for every counted row i.</summary>
    public void ScatterAdd(T[] gc, Span<T> grad, int h)
    {
        for (int i = 0; i < _rowOf.Length; i++)
        {
            var row = grad.Slice(_rowOf[i] * h, h);
            TensorPrimitives.Add<T>(row, gc.AsSpan(i * h, h), row);
        }
    }

    public void Return()
    {
        if (_x is { Length: > 0 }) ArrayPool<T>.Shared.Return(_x);
        _x = null;
    }
}
