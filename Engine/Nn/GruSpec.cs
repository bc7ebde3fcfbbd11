using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// PyTorch's GRU (docs/rnn.md#gru): G = 3 gates r, z, n; state h. b_hn stays out of the folded bias (it sits inside
/// r ⊙ (h W_hnᵀ + b_hn)), so the n gate's hidden-side gradient is its own, and h' = (1 − z) ⊙ n + z ⊙ h adds a
/// direct path to ∂L/∂h. The fused kernel is <see cref="GruGateKernel"/>, which saves the gates and ĥn; the composed
/// step is <see cref="GruCell{T}"/>.
/// </summary>
internal readonly struct GruSpec : ICellSpec
{
    public static RecurrentCell Cell => RecurrentCell.Gru;
    public static int Gates => 3;
    public static bool HasCellState => false;
    public static bool HiddenBiasApart => true;
    public static bool DirectHiddenPath => true;
    public static bool SavesExtra => true;
    public static bool ActsAreHidden => false;

    /// <summary>h in/out, acts ← r, z, n, extra ← ĥn.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GruGateKernel.Forward(xp, hp, bhn, h, acts, extra, width);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> extra, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GruGateKernel.Backward(acts, extra, hPrev, dh, dhDirect, dGx, dGh, width);

    public static RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new GruCell<T>(weights) { Pool = pool };

    public static RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Gru<T>(inputSize, hiddenSize, rng, options);
}
