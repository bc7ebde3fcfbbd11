using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A fully connected layer, y = x Wᵀ + b, with W (out, in) and b (out) as in PyTorch's <c>nn.Linear</c>
/// (parameters <c>weight</c>, <c>bias</c>). Default init is PyTorch's: every element of W and b drawn from
/// U(−1/√in, 1/√in) — W first, then b — from the given <see cref="SeededRng"/>.
/// </summary>
public sealed class Linear<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer and initialises its parameters from <paramref name="rng"/>.</summary>
    public Linear(int inFeatures, int outFeatures, SeededRng rng, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        T bound = T.One / T.Sqrt(T.CreateTruncating(inFeatures));
        Weight = AddParameter("weight", Tensor<T>.Uniform([outFeatures, inFeatures], -bound, bound, rng));
        Bias = bias ? AddParameter("bias", Tensor<T>.Uniform([outFeatures], -bound, bound, rng)) : null;
    }

    /// <summary>Input features (the <c>in</c> of W (out, in)).</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>W (out, in).</summary>
    public Var<T> Weight { get; }

    /// <summary>b (out), or null when built without bias.</summary>
    public Var<T>? Bias { get; }

    /// <summary>
    /// y = x Wᵀ + b for x (…, in) → y (…, out), with at least one leading axis: leading axes are flattened into rows N
    /// (e.g. (B, T, H) → (B·T, H)) for one GEMM, and restored afterwards.
    /// </summary>
    public Var<T> Forward(Var<T> x, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank < 2 || x.Value.Dim(-1) != InFeatures)
            throw new ArgumentException($"Linear: expected input (N, {InFeatures}) or (…, {InFeatures}), got {x.Value.ShapeString}.", nameof(x));
        var rows = x.Value.Rank == 2 ? x : Ops.Reshape(x, -1, InFeatures);       // (N, in)
        int steps = x.Value.Rank == 2 || x.Value.Length == 0 ? 0 : x.Value.Length / (x.Value.Dim(0) * InFeatures);   // T of (B, T, in)
        var y = Ops.MatMul(rows, Weight, false, true, pool, rowsPerSequence: steps);   // (N, out)
        if (Bias is not null) y += Bias;
        if (x.Value.Rank == 2) return y;
        var shape = x.Value.ShapeArray();
        shape[^1] = OutFeatures;
        return Ops.Reshape(y, shape);
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context.Pool);
}
