using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// The LSTM (docs/rnn.md#lstm): G = 4 gates i, f, g, o; state h and c; b_ih + b_hh fold into one bias. The fused
/// kernel is <see cref="LstmGateKernel"/>, which saves the gates and tanh(c'); the composed step is
/// <see cref="LstmCell{T}"/>.
/// </summary>
internal readonly struct LstmSpec : ICellSpec
{
    public static RecurrentCell Cell => RecurrentCell.Lstm;
    public static int Gates => 4;
    public static bool HasCellState => true;
    public static bool HiddenBiasApart => false;
    public static bool DirectHiddenPath => false;
    public static bool SavesExtra => true;
    public static bool ActsAreHidden => false;

    /// <summary>c in/out, acts ← i, f, g, o, extra ← tanh(c'), h ← h' (h is not read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => LstmGateKernel.Forward(xp, hp, c, acts, extra, h, width);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> extra, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => LstmGateKernel.Backward(acts, cPrev, extra, dh, dc, dGx, width);

    public static RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new LstmCell<T>(weights) { Pool = pool };

    public static RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Lstm<T>(inputSize, hiddenSize, rng, options);
}
