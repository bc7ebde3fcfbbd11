using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// Everything a recurrent layer, the fused path and the stepper need to know about one cell, as static members
/// of a small struct per cell (<see cref="LstmSpec"/>, <see cref="GruSpec"/>, <see cref="RnnSpec"/>,
/// <see cref="RnnReluSpec"/>). Code generic over a struct <c>TSpec : ICellSpec</c> is compiled once per cell, so
/// the flags below are constants there and the gate kernel calls are direct: the per-row loops of
/// <see cref="FusedRecurrentSteps{T, TSpec}"/> carry no dispatch. <see cref="CellSpec"/> is the same description as
/// an object, for code that picks the cell at run time.
/// </summary>
/// <remarks>
/// The fused gate kernel works on one batch row: xp = x W_ihᵀ + folded biases and hp = h W_hhᵀ, each (G·H) in gate
/// order. Forward reads h and c on entry and leaves h' and c' in place. What it saves for backward: acts (G·H),
/// and when <see cref="SavesExtra"/> one more (H) vector per step.
/// </remarks>
internal interface ICellSpec
{
    /// <summary>The public name of the cell.</summary>
    static abstract RecurrentCell Cell { get; }

    /// <summary>G, the gates stacked in the weights (docs/notation.md).</summary>
    static abstract int Gates { get; }

    /// <summary>True when the state has a cell state c besides h (LSTM).</summary>
    static abstract bool HasCellState { get; }

    /// <summary>
    /// False: b_ih + b_hh fold into one bias added to xp. True (GRU): the last gate's b_hh stays out of the fold and is
    /// passed to the kernel as <c>bhn</c> (it sits inside r ⊙ (h W_hnᵀ + b_hn)), so that gate's hidden-side
    /// pre-activation gradient differs from its input-side one and backward keeps them in two arrays.
    /// </summary>
    static abstract bool HiddenBiasApart { get; }

    /// <summary>True when h' depends on h other than through h W_hhᵀ (GRU's z ⊙ h): backward adds that direct part, <c>dhDirect</c>, to ∂L/∂h.</summary>
    static abstract bool DirectHiddenPath { get; }

    /// <summary>True when forward saves an (H) vector per step besides acts (LSTM: tanh(c'); GRU: ĥn = h W_hnᵀ + b_hn).</summary>
    static abstract bool SavesExtra { get; }

    /// <summary>
    /// True when the only activation is h' itself (RNN): the fused path saves no acts; <c>Forward</c> gets the output
    /// row of Y as acts and writes h' into both h and acts, and backward reads h' back from Y.
    /// </summary>
    static abstract bool ActsAreHidden { get; }

    /// <summary>
    /// The fused gate kernel for one row: h (H) and c (H, empty without a cell state) hold the state on entry and
    /// the new state on return; acts (G·H) and extra (H, empty unless <see cref="SavesExtra"/>) receive what backward
    /// needs; <paramref name="bhn"/> (H) is the bias kept apart (empty unless <see cref="HiddenBiasApart"/>).
    /// <paramref name="width"/> is the kernel's vector width (<see cref="GateWidth.Auto"/> but for a forced path).
    /// </summary>
    static abstract void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The kernel's backward for one row: from the saved acts, h and c entering the step, extra, and dh = ∂L/∂h'
    /// (H), writes the pre-activation gradients dGx (G·H) and (when <see cref="HiddenBiasApart"/>) dGh; updates
    /// dc (∂L/∂c' in, ∂L/∂c out) and writes dhDirect. Spans a cell does not use are empty.
    /// </summary>
    static abstract void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> extra, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>The composed step over a layer's weights (the reference path).</summary>
    static abstract RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>A new layer of this cell, weights drawn from <paramref name="rng"/>.</summary>
    static abstract RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>
/// An <see cref="ICellSpec"/> as an object: what a layer, a model or the stepper holds when the cell is chosen at run
/// time. Each entry point is one virtual call per layer pass (or per stepper chunk) that lands in code compiled for
/// the cell; <see cref="Of"/> is the one place that maps a <see cref="RecurrentCell"/> to its description.
/// </summary>
internal abstract class CellSpec
{
    /// <summary>The description of <paramref name="cell"/>.</summary>
    public static CellSpec Of(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => CellSpec<LstmSpec>.Instance,
        RecurrentCell.Gru => CellSpec<GruSpec>.Instance,
        RecurrentCell.Rnn => CellSpec<RnnSpec>.Instance,
        RecurrentCell.RnnRelu => CellSpec<RnnReluSpec>.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), $"CellSpec: unknown recurrent cell {cell}."),
    };

    /// <summary><see cref="ICellSpec.Cell"/>.</summary>
    public abstract RecurrentCell Cell { get; }

    /// <summary><see cref="ICellSpec.Gates"/>.</summary>
    public abstract int Gates { get; }

    /// <summary><see cref="ICellSpec.HasCellState"/>.</summary>
    public abstract bool HasCellState { get; }

    /// <summary><see cref="ICellSpec.HiddenBiasApart"/>.</summary>
    public abstract bool HiddenBiasApart { get; }

    /// <summary>
    /// One layer on the fused path (<see cref="FusedRecurrentNode{T, TSpec}.Run"/>): x (B, T, in), h0, c0 (D, B, H)
    /// → Y (B, T, D·H) and the final h (and c) (D, B, H). <paramref name="pooledOutput"/>: Y is a lower layer's output,
    /// its storage rented and given back after the layer's backward. <paramref name="ownsInput"/>: x is such an output of a
    /// layer that recorded no node, and this layer gives its storage back. <paramref name="kernels"/>: the vector path of its GEMMs and gate kernels.
    /// </summary>
    public abstract (Var<T> Y, Var<T> H, Var<T>? C) RunFused<T>(Var<T> x, Var<T> h0, Var<T>? c0, RecurrentWeights<T>[] w, int[]? lengths,
        WorkerPool? pool, bool parallelSteps, KernelPath kernels, bool pooledOutput = false, bool ownsInput = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary><see cref="ICellSpec.CreateCell{T}"/>.</summary>
    public abstract RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary><see cref="ICellSpec.CreateLayer{T}"/>.</summary>
    public abstract RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary><see cref="ICellSpec.Forward{T}"/> for one row, for steppers that run a layer one step at a time without a graph.</summary>
    public abstract void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra,
        GateWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary><see cref="ICellSpec.Forward{T}"/> in float32, for the batch-1 stepper (nothing is saved: acts and extra are scratch).</summary>
    public abstract void StepForward(ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> bhn, Span<float> h, Span<float> c,
        Span<float> acts, Span<float> extra);
}

/// <summary>The <see cref="CellSpec"/> of the cell <typeparamref name="TSpec"/>: forwards every member to its static ones.</summary>
internal sealed class CellSpec<TSpec> : CellSpec where TSpec : struct, ICellSpec
{
    private CellSpec() { }

    /// <summary>The one instance.</summary>
    public static CellSpec<TSpec> Instance { get; } = new();

    public override RecurrentCell Cell => TSpec.Cell;
    public override int Gates => TSpec.Gates;
    public override bool HasCellState => TSpec.HasCellState;
    public override bool HiddenBiasApart => TSpec.HiddenBiasApart;

    public override (Var<T> Y, Var<T> H, Var<T>? C) RunFused<T>(Var<T> x, Var<T> h0, Var<T>? c0, RecurrentWeights<T>[] w, int[]? lengths,
        WorkerPool? pool, bool parallelSteps, KernelPath kernels, bool pooledOutput = false, bool ownsInput = false) =>
        FusedRecurrentNode<T, TSpec>.Run(x, h0, c0, w, lengths, pool, parallelSteps, kernels, pooledOutput, ownsInput);

    public override RecurrentCellBase<T> CreateCell<T>(RecurrentWeights<T> weights, WorkerPool? pool) => TSpec.CreateCell(weights, pool);

    public override RecurrentLayer<T> CreateLayer<T>(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options) =>
        TSpec.CreateLayer<T>(inputSize, hiddenSize, rng, options);

    public override void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> c, Span<T> acts, Span<T> extra,
        GateWidth width) => TSpec.Forward(xp, hp, bhn, h, c, acts, extra, width);

    public override void StepForward(ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> bhn, Span<float> h, Span<float> c,
        Span<float> acts, Span<float> extra) => TSpec.Forward(xp, hp, bhn, h, c, acts, extra, GateWidth.Auto);
}
