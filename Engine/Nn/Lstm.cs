using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A multi-layer LSTM over batch-first sequences, weight-compatible with PyTorch <c>nn.LSTM(batch_first=True)</c>.
/// Each step is <see cref="LstmCell{T}"/>'s equations; the default <see cref="RecurrentPath.Fused"/> path computes them
/// with GEMMs and a fused gate kernel (docs/rnn.md).
/// </summary>
public sealed class Lstm<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>.</summary>
    public Lstm(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null)
        : base(CellKind.Lstm, inputSize, hiddenSize, rng, options) { }

    internal Lstm(RecurrentWeights<T>[][] weights, RecurrentOptions options) : base(CellKind.Lstm, weights, options) { }

    /// <summary>
    /// x (B, T, E) → output (B, T, D·H) and the final state (L·D, B, H) each. <paramref name="initial"/> defaults
    /// to zeros; pass the previous window's final state (detached) for truncated BPTT. <paramref name="lengths"/>
    /// gives each row's valid steps (outputs past it are zero; the final state is taken at the last valid step).
    /// <paramref name="dropoutRng"/> is required when dropout is on in training mode.
    /// </summary>
    public (Var<T> Output, LstmState<T> Final) Forward(Var<T> x, LstmState<T>? initial = null, int[]? lengths = null,
        SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        var (y, h, c) = ForwardLayers(x, initial?.H, initial?.C, lengths, dropoutRng, pool);
        return (y, new LstmState<T>(h, c!));
    }
}

/// <summary>A multi-layer GRU (PyTorch variant, see <see cref="GruCell{T}"/>), weight-compatible with <c>nn.GRU(batch_first=True)</c>.</summary>
public sealed class Gru<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>.</summary>
    public Gru(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null)
        : base(CellKind.Gru, inputSize, hiddenSize, rng, options) { }

    internal Gru(RecurrentWeights<T>[][] weights, RecurrentOptions options) : base(CellKind.Gru, weights, options) { }

    /// <summary>x (B, T, E) → output (B, T, D·H) and final h (L·D, B, H). Arguments as <see cref="Lstm{T}.Forward"/>.</summary>
    public (Var<T> Output, Var<T> Final) Forward(Var<T> x, Var<T>? initial = null, int[]? lengths = null,
        SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        var (y, h, _) = ForwardLayers(x, initial, null, lengths, dropoutRng, pool);
        return (y, h);
    }
}

/// <summary>A multi-layer Elman RNN (tanh or ReLU), weight-compatible with <c>nn.RNN(batch_first=True)</c>.</summary>
public sealed class Rnn<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>.</summary>
    public Rnn(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh)
        : base(nonlinearity == RnnNonlinearity.Relu ? CellKind.RnnRelu : CellKind.RnnTanh, inputSize, hiddenSize, rng, options)
        => Nonlinearity = nonlinearity;

    internal Rnn(RecurrentWeights<T>[][] weights, RecurrentOptions options, RnnNonlinearity nonlinearity)
        : base(nonlinearity == RnnNonlinearity.Relu ? CellKind.RnnRelu : CellKind.RnnTanh, weights, options) => Nonlinearity = nonlinearity;

    /// <summary>φ.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>x (B, T, E) → output (B, T, D·H) and final h (L·D, B, H). Arguments as <see cref="Lstm{T}.Forward"/>.</summary>
    public (Var<T> Output, Var<T> Final) Forward(Var<T> x, Var<T>? initial = null, int[]? lengths = null,
        SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        var (y, h, _) = ForwardLayers(x, initial, null, lengths, dropoutRng, pool);
        return (y, h);
    }
}
