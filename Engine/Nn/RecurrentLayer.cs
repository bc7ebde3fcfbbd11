using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A stack of recurrent layers of one cell (<see cref="Cell"/>), shaped like PyTorch's <c>nn.RNN</c>/<c>LSTM</c>/<c>GRU</c>
/// with <c>batch_first=True</c>: input (B, T, E), output (B, T, D·H), state h (and for an LSTM c) (L·D, B, H); parameters
/// <c>weight_ih_l{k}</c> (G·H, in), <c>weight_hh_l{k}</c> (G·H, H), <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> (G·H),
/// with suffix <c>_reverse</c> for the reverse direction, initialised U(−1/√H, 1/√H) in that order. Every cell runs
/// through the same <see cref="Forward"/>; what differs per cell is its description (<c>CellSpec</c>, docs/rnn.md#adding-a-cell).
/// </summary>
/// <remarks>
/// The family is closed (<see cref="Lstm{T}"/>, <see cref="Gru{T}"/>, <see cref="Rnn{T}"/>): each member has a fused kernel
/// and a <see cref="RecurrentCell"/> name that checkpoints store. A cell of your own, derived from
/// <see cref="RecurrentCellBase{T}"/>, runs over a sequence in a <see cref="RecurrentCellLayer{T}"/>.
/// </remarks>
public abstract class RecurrentLayer<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly CellSpec _spec;
    private readonly RecurrentWeights<T>[][] _weights; // [layer][direction]

    private protected RecurrentLayer(CellSpec spec, int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        Options = options ?? new RecurrentOptions();
        if (Options.NumLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"{Checks.TypeName(GetType())}: NumLayers must be at least 1, got {Options.NumLayers}.");
        if (!(Options.Dropout is >= 0 and < 1))   // NaN too
            throw new ArgumentOutOfRangeException(nameof(options), $"{Checks.TypeName(GetType())}: dropout must be in [0, 1), got {Options.Dropout}.");
        Checks.Defined(Options.Path, Checks.TypeName(GetType()), nameof(options));
        (_spec, InputSize, HiddenSize) = (spec, inputSize, hiddenSize);
        RecurrentInit.CheckSizes(spec.Gates, Math.Max(inputSize, (long)Directions * hiddenSize), hiddenSize);   // before any layer is drawn
        _weights = new RecurrentWeights<T>[NumLayers][];
        for (int l = 0; l < NumLayers; l++)
        {
            _weights[l] = new RecurrentWeights<T>[Directions];
            for (int d = 0; d < Directions; d++)
            {
                string sfx = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                var init = RecurrentInit.Weights<T>(spec.Gates, l == 0 ? inputSize : Directions * hiddenSize, hiddenSize, rng);
                _weights[l][d] = new RecurrentWeights<T>(
                    AddParameter("weight_ih" + sfx, init.WeightIh), AddParameter("weight_hh" + sfx, init.WeightHh),
                    AddParameter("bias_ih" + sfx, init.BiasIh), AddParameter("bias_hh" + sfx, init.BiasHh));
            }
        }
    }

    /// <summary>A layer over given weights ([layer][direction]), registered under the PyTorch names (gradient checks build layers from their inputs this way).</summary>
    private protected RecurrentLayer(CellSpec spec, RecurrentWeights<T>[][] weights, RecurrentOptions options)
    {
        (_spec, Options, _weights) = (spec, options, weights);
        (InputSize, HiddenSize) = (weights[0][0].WeightIh.Value.Dim(1), weights[0][0].WeightHh.Value.Dim(1));
        for (int l = 0; l < weights.Length; l++)
            for (int d = 0; d < weights[l].Length; d++)
            {
                string sfx = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                var w = weights[l][d];
                AddParameter("weight_ih" + sfx, w.WeightIh); AddParameter("weight_hh" + sfx, w.WeightHh);
                AddParameter("bias_ih" + sfx, w.BiasIh); AddParameter("bias_hh" + sfx, w.BiasHh);
            }
    }

    /// <summary>
    /// A new layer of <paramref name="cell"/> (an <see cref="Lstm{T}"/>, <see cref="Gru{T}"/> or <see cref="Rnn{T}"/>),
    /// weights drawn from <paramref name="rng"/>: for code that reads the cell from a configuration.
    /// </summary>
    public static RecurrentLayer<T> Create(RecurrentCell cell, int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null) =>
        CellSpec.Of(cell).CreateLayer<T>(inputSize, hiddenSize, rng, options);

    /// <summary>The description of <see cref="Cell"/> (its gate kernels).</summary>
    internal CellSpec CellSpec => _spec;

    /// <summary>The cell every layer and direction is made of.</summary>
    public RecurrentCell Cell => _spec.Cell;

    /// <summary>True when the state carries a cell state c besides h (LSTM).</summary>
    public bool HasCellState => _spec.HasCellState;

    /// <summary>The options the layer was built with.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>E, the features of each input step.</summary>
    public int InputSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>L.</summary>
    public int NumLayers => Options.NumLayers;

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Options.Bidirectional ? 2 : 1;

    /// <summary>The weights of layer <paramref name="layer"/>, direction <paramref name="direction"/> (0 forward, 1 reverse).</summary>
    public RecurrentWeights<T> WeightsOf(int layer, int direction)
    {
        if ((uint)layer >= (uint)NumLayers || (uint)direction >= (uint)Directions)
        {
            string op = Checks.TypeName(GetType()) + ".WeightsOf";
            Checks.Index(layer, NumLayers, op, nameof(layer));
            Checks.Index(direction, Directions, op, nameof(direction));
        }
        return _weights[layer][direction];
    }

    /// <summary>A zero state for a batch of <paramref name="batch"/> rows: h (and c) (L·D, B, H).</summary>
    public RecurrentState<T> InitialState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int[] shape = [NumLayers * Directions, batch, HiddenSize];
        return new RecurrentState<T>(new Var<T>(Tensor<T>.Zeros(shape)), HasCellState ? new Var<T>(Tensor<T>.Zeros(shape)) : null);
    }

    /// <summary>
    /// In a <see cref="Sequential{T}"/>: the output sequence (B, T, D·H) from a zero initial state (Keras's
    /// <c>return_sequences=True</c>), each row stopped at <see cref="LayerContext.Lengths"/> when given.
    /// </summary>
    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, null, context.Lengths, context.Rng, context.Pool).Output;

    /// <summary>
    /// Runs every layer: x (B, T, E) → output (B, T, D·H) of the last layer and the final state, h (and c)
    /// (L·D, B, H). <paramref name="state"/> defaults to zeros; pass the previous window's final state after
    /// <see cref="RecurrentState{T}.Detach"/> for truncated BPTT. <paramref name="lengths"/> gives each row's valid
    /// steps (outputs past it are zero; the final state is taken at the last valid step). <paramref name="dropoutRng"/>
    /// is required when dropout is on in training mode; <paramref name="pool"/> runs the matrix products.
    /// </summary>
    public (Var<T> Output, RecurrentState<T> Final) Forward(Var<T> x, RecurrentState<T>? state = null, int[]? lengths = null,
        SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        string op = Checks.TypeName(GetType()) + ".Forward";
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3 || x.Value.Dim(2) != InputSize)
            throw new ArgumentException($"{op}: expected input (B, T, {InputSize}), got {x.Value.ShapeString}.", nameof(x));
        int B = x.Value.Dim(0), T_ = x.Value.Dim(1), D = Directions;
        // As PyTorch, no empty sequence; and no empty batch: there is no final state to take from it.
        if (B == 0 || T_ == 0) throw new ArgumentException($"{op}: expected at least one sequence of at least one step, got input {x.Value.ShapeString}.", nameof(x));
        // The widest (B, T, ·) buffer: the output (D·H per step), and on the fused path the gate activations (G·H per step).
        int perHidden = Options.Path == RecurrentPath.Fused ? Math.Max(_spec.Gates, D) : D;
        ShapeUtil.ArrayLength((long)B * T_ * perHidden * HiddenSize, op,
            $"input {x.Value.ShapeString} with H = {HiddenSize} needs (B, T, {perHidden}·H) buffers: B·T·{perHidden}·H = {B}·{T_}·{perHidden}·{HiddenSize}",
            "use shorter sequences, a smaller batch or a smaller hidden size.");
        int[] stateShape = [NumLayers * D, B, HiddenSize];
        var h0 = CheckState(state?.H, stateShape, op, "initial h");
        Var<T>? c0 = null;
        if (HasCellState)
        {
            if (state is not null && state.C is null) throw new ArgumentException($"{op}: an {Cell.ToString().ToUpperInvariant()} state needs c.", nameof(state));
            c0 = CheckState(state?.C, stateShape, op, "initial c");
        }
        else if (state?.C is not null)
        {
            throw new ArgumentException($"{op}: a {Cell} state has no c, but one was given.", nameof(state));
        }
        CheckLengths(lengths, B, T_, op);
        bool dropping = Options.Dropout > 0 && Training && NumLayers > 1;
        if (dropping && dropoutRng is null)
            throw new ArgumentException($"{op}: dropout {Options.Dropout} in training mode needs an explicit dropoutRng (or call Eval()).", nameof(dropoutRng));

        var hs = new List<Var<T>>();
        var cs = new List<Var<T>>();
        Var<T> input = x;
        bool ownsInput = false; // input is a lower layer's pooled Y that no node gives back: the layer reading it does
        for (int l = 0; l < NumLayers; l++)
        {
            var lh0 = Ops.Slice(h0, 0, l * D, D); // (D, B, H)
            var lc0 = c0 is null ? null : Ops.Slice(c0, 0, l * D, D);
            bool lower = l < NumLayers - 1; // its output Y is read only by the next layer: the fused path pools it
            var (y, hT, cT) = Options.Path == RecurrentPath.Fused
                ? FusedLayer(l, input, lh0, lc0, lengths, pool, pooledOutput: lower, ownsInput)
                : ComposedLayer(l, input, lh0, lc0, lengths, pool);
            hs.Add(hT);
            if (cT is not null) cs.Add(cT);
            input = dropping && lower ? Ops.Dropout(y, Options.Dropout, training: true, dropoutRng!, pool) : y;
            // A lower layer with a node gives its pooled Y back in its backward. One without a node leaves it to the next
            // layer, which gives it back after its own backward has read it (∂W_ih = dÂᵀ X) or after its forward; behind
            // dropout the next layer reads the dropped copy, so Y goes back now.
            bool unowned = Options.Path == RecurrentPath.Fused && lower && y.Creator is null;
            ownsInput = unowned && ReferenceEquals(input, y);
            if (unowned && !ownsInput) y.Value.ReturnRented();
        }
        return (input, new RecurrentState<T>(Ops.Concat(hs, 0), cs.Count > 0 ? Ops.Concat(cs, 0) : null));
    }

    private (Var<T> Y, Var<T> H, Var<T>? C) FusedLayer(int l, Var<T> x, Var<T> h0, Var<T>? c0, int[]? lengths, WorkerPool? pool, bool pooledOutput,
        bool ownsInput) =>
        _spec.RunFused(x, h0, c0, _weights[l], lengths, pool, Options.ParallelSteps, Options.Kernels ?? KernelPath.Default, pooledOutput, ownsInput);

    /// <summary>
    /// The reference path: the cell's equations step by step (<see cref="RecurrentCellLayer{T}.Unroll"/>). With lengths,
    /// row b keeps its state and outputs zero at steps t ≥ len_b: h ← m ⊙ h' + (1 − m) ⊙ h, y_t = m ⊙ h', m = [t &lt; len_b].
    /// </summary>
    private (Var<T> Y, Var<T> H, Var<T>? C) ComposedLayer(int l, Var<T> x, Var<T> h0, Var<T>? c0, int[]? lengths, WorkerPool? pool)
    {
        int B = x.Value.Dim(0), H = HiddenSize, D = Directions;
        var dirOutputs = new Var<T>[D];
        var finalH = new Var<T>[D];
        var finalC = new Var<T>[D];
        for (int d = 0; d < D; d++)
        {
            var cell = _spec.CreateCell(_weights[l][d], pool);
            Var<T> h = Ops.Reshape(Ops.Slice(h0, 0, d, 1), B, H);
            Var<T>? c = c0 is null ? null : Ops.Reshape(Ops.Slice(c0, 0, d, 1), B, H);
            (dirOutputs[d], h, c) = RecurrentCellLayer<T>.Unroll(cell, x, h, c, lengths, reverse: d == 1); // (B, T, H)
            finalH[d] = Ops.Reshape(h, 1, B, H);
            if (c is not null) finalC[d] = Ops.Reshape(c, 1, B, H);
        }
        var y = D == 1 ? dirOutputs[0] : Ops.Concat(dirOutputs, 2);
        return (y, Ops.Concat(finalH, 0), c0 is null ? null : Ops.Concat(finalC, 0));
    }

    private static Var<T> CheckState(Var<T>? state, int[] shape, string op, string what)
    {
        if (state is null) return new Var<T>(Tensor<T>.Zeros(shape));
        if (!state.Value.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{op}: {what} must be (L·D, B, H) = {ShapeUtil.Format(shape)}, got {state.Value.ShapeString}.", "state");
        return state;
    }

    internal static void CheckLengths(int[]? lengths, int batch, int steps, string op)
    {
        if (lengths is null) return;
        if (lengths.Length != batch)
            throw new ArgumentException($"{op}: {lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
        for (int b = 0; b < batch; b++)
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"{op}: length {lengths[b]} of row {b} is outside [1, {steps}].");
    }
}
