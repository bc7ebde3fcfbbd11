using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// The Elman RNN with tanh (docs/rnn.md#rnn): G = 1; state h; b_ih + b_hh fold. The fused kernel is
/// <see cref="RnnGateKernel"/>, whose only activation is h' (read back from the layer's output); the composed step is <see cref="RnnCell{T}"/>.
/// </summary>
internal readonly struct RnnSpec : ICellSpec
{
    public static RecurrentCell Cell => RecurrentCell.Rnn;
    public static int Gates => 1;
    public static bool HasCellState => false;
    public static bool HiddenBiasApart => false;
    public static bool DirectHiddenPath => false;
    public static bool SavesExtra => false;
    public static bool ActsAreHidden => true;

    /// <summary>h and acts ← tanh(xp + hp) (h is not read; acts is the output row, see <see cref="ICellSpec.ActsAreHidden"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => RnnGateKernel.Forward(xp, hp, h, acts, relu: false, width);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> extra, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => RnnGateKernel.Backward(acts, dh, dGx, relu: false, width);

    public static RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new RnnCell<T>(weights, ActivationFunction.Tanh) { Pool = pool };

    public static RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Rnn<T>(inputSize, hiddenSize, rng, options, ActivationFunction.Tanh);
}

/// <summary>The Elman RNN with ReLU: <see cref="RnnSpec"/> with h' = max(xp + hp, 0).</summary>
internal readonly struct RnnReluSpec : ICellSpec
{
    public static RecurrentCell Cell => RecurrentCell.RnnRelu;
    public static int Gates => 1;
    public static bool HasCellState => false;
    public static bool HiddenBiasApart => false;
    public static bool DirectHiddenPath => false;
    public static bool SavesExtra => false;
    public static bool ActsAreHidden => true;

    /// <summary>h and acts ← max(xp + hp, 0) (h is not read; acts is the output row, see <see cref="ICellSpec.ActsAreHidden"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => RnnGateKernel.Forward(xp, hp, h, acts, relu: true, width);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> extra, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => RnnGateKernel.Backward(acts, dh, dGx, relu: true, width);

    public static RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new RnnCell<T>(weights, ActivationFunction.Relu) { Pool = pool };

    public static RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Rnn<T>(inputSize, hiddenSize, rng, options, ActivationFunction.Relu);
}
