using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// What the cells share: the packed weights W_ih (G·H, in), W_hh (G·H, H), b_ih, b_hh (G·H) named as
/// in PyTorch's <c>nn.LSTMCell</c>/<c>GRUCell</c>/<c>RNNCell</c> (<c>weight_ih</c>, <c>weight_hh</c>,
/// <c>bias_ih</c>, <c>bias_hh</c>), initialised U(−1/√H, 1/√H) in that order, and the affine map x Wᵀ + b.
/// </summary>
/// <remarks>
/// A cell of your own derives from this: its constructor passes G (the gates stacked in the weights) to
/// <c>base(gates, inputSize, hiddenSize, rng)</c>, registers any further parameters with <c>AddParameter</c>, and
/// <see cref="Step"/> computes the new state from <see cref="Affine"/> and the ops (returning c too when it overrides
/// <see cref="HasCellState"/>). A <see cref="RecurrentCellLayer{T}"/> runs it over a sequence, in a
/// <see cref="Sequential{T}"/> too (docs/rnn.md#a-cell-of-your-own).
/// </remarks>
public abstract class RecurrentCellBase<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// A cell with its own packed weights for <paramref name="gates"/> gates: W_ih (G·H, in), W_hh (G·H, H), b_ih, b_hh (G·H),
    /// drawn U(−1/√H, 1/√H) from <paramref name="rng"/> in that order.
    /// </summary>
    protected RecurrentCellBase(int gates, int inputSize, int hiddenSize, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        (InputSize, HiddenSize) = (inputSize, hiddenSize);
        var init = RecurrentInit.Weights<T>(gates, inputSize, hiddenSize, rng);
        Weights = new RecurrentWeights<T>(
            AddParameter("weight_ih", init.WeightIh), AddParameter("weight_hh", init.WeightHh),
            AddParameter("bias_ih", init.BiasIh), AddParameter("bias_hh", init.BiasHh));
    }

    /// <summary>A cell over weights owned by a layer (registers nothing itself).</summary>
    protected RecurrentCellBase(RecurrentWeights<T> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Weights = weights;
        (InputSize, HiddenSize) = (weights.WeightIh.Value.Dim(1), weights.WeightHh.Value.Dim(1));
    }

    /// <summary>Input features (E for the first layer).</summary>
    public int InputSize { get; }

    /// <summary>Hidden size H.</summary>
    public int HiddenSize { get; }

    /// <summary>The packed weights, gates stacked in PyTorch order.</summary>
    public RecurrentWeights<T> Weights { get; }

    /// <summary>True when the state carries a cell state c besides h (an LSTM's); false by default.</summary>
    public virtual bool HasCellState => false;

    /// <summary>Pool for the matrix products (null: run on the caller).</summary>
    public WorkerPool? Pool { get; init; }

    /// <summary>
    /// Advances one step: x (B, in), state h (and for an LSTM c) (B, H) → the new state. Nothing is stored in the cell.
    /// </summary>
    public abstract RecurrentState<T> Step(Var<T> x, RecurrentState<T> state);

    /// <summary>x Wᵀ + b: (B, in) · (G·H, in)ᵀ + (G·H) → (B, G·H).</summary>
    protected Var<T> Affine(Var<T> x, Var<T> w, Var<T> b) => Ops.MatMul(x, w, transposeB: true, pool: Pool) + b;

    /// <summary>Throws naming <paramref name="op"/> unless x is (B, in) and h is (B, H).</summary>
    protected void CheckInput(Var<T> x, Var<T> h, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(h);
        if (x.Value.Rank != 2 || x.Value.Dim(1) != InputSize)
            throw new ArgumentException($"{op}: expected input (B, {InputSize}), got {x.Value.ShapeString}.", nameof(x));
        if (h.Value.Rank != 2 || h.Value.Dim(0) != x.Value.Dim(0) || h.Value.Dim(1) != HiddenSize)
            throw new ArgumentException($"{op}: expected state ({x.Value.Dim(0)}, {HiddenSize}), got {h.Value.ShapeString}.", "state");
    }
}

/// <summary>PyTorch's default recurrent init: every weight and bias from U(−1/√H, 1/√H).</summary>
internal static class RecurrentInit
{
    /// <summary>G·H rows and the (G·H, in) and (G·H, H) weights must fit a tensor (<paramref name="inputSize"/>: the widest layer input); an int product would wrap instead.</summary>
    public static void CheckSizes(int gates, long inputSize, int hiddenSize)
    {
        long rows = (long)gates * hiddenSize, largest = rows * Math.Max(inputSize, hiddenSize);
        if (rows > int.MaxValue || largest > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize,
                $"hidden size {hiddenSize} with {gates} gate(s) makes a weight matrix of {rows} × {Math.Max(inputSize, hiddenSize)} = {largest} elements, above the {Array.MaxLength} a tensor holds.");
    }

    public static (Tensor<T> WeightIh, Tensor<T> WeightHh, Tensor<T> BiasIh, Tensor<T> BiasHh) Weights<T>(int gates, int inputSize, int hiddenSize, SeededRng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSizes(gates, inputSize, hiddenSize);
        T k = T.One / T.Sqrt(T.CreateTruncating(hiddenSize));
        int gh = gates * hiddenSize;
        return (Tensor<T>.Uniform([gh, inputSize], -k, k, rng), Tensor<T>.Uniform([gh, hiddenSize], -k, k, rng),
                Tensor<T>.Uniform([gh], -k, k, rng), Tensor<T>.Uniform([gh], -k, k, rng));
    }
}
