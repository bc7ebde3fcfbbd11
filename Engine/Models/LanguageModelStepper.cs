using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Models;

/// <summary>How <see cref="LanguageModelStepper"/> stores the weight matrices (arithmetic is float32 either way).</summary>
public enum StepperPrecision
{
    /// <summary>The model's float32 weights, unchanged: the logits equal <see cref="LanguageModel{T}.Forward"/>'s up to summation order.</summary>
    Float32,
    /// <summary>
    /// Every weight matrix (embedding, W_ih, W_hh, decoder) rounded to bfloat16, biases float32: half the bytes
    /// per step. The stepper then computes exactly the model whose matrices are so rounded (tested); use it for
    /// generation speed, not for evaluation.
    /// </summary>
    BFloat16,
    /// <summary>
    /// Every weight matrix quantised to int8 with one float32 scale per output row (s_r = max|W_r| / 127,
    /// q = round(W / s_r)), biases, state and gate arithmetic float32; each product's input vector enters it as 16-bit
    /// fixed point and the sums are exact integers: a quarter of the bytes per step (<see cref="MatVecInt8"/>,
    /// docs/generation.md). The stepper computes the model whose matrices are s_r·q up to that input rounding
    /// (tested); its held-out loss is measured against float32 with <c>LanguageModelEvaluator.EvaluateStepped</c>.
    /// </summary>
    Int8,
}

/// <summary>
/// Batch-1, one-token-at-a-time inference for a <see cref="LanguageModel{T}"/> of floats, without autograd: the
/// <see cref="ITokenModel{TState}"/> that sampling and beam search drive. Per step (docs/lm.md#4-generating-and-evaluating):
/// <code>
/// xp_0 = Table[token]                               (G·H)  = W_emb[token] W_ih0ᵀ + b_ih0 + b_hh0, precomputed
/// xp_l = W_ih_l h'_{l−1} + b_ih_l + b_hh_l          (G·H)  layers l &gt; 0
/// hp_l = W_hh_l h_l                                 (G·H)
/// h'_l (, c'_l) = gates(xp_l, hp_l (, c_l))          (H)    the fused gate kernel of the cell
/// logits = W_dec h'_{L−1} + b_dec                   (V)
/// </code>
/// (GRU: b_hh's n-gate part b_hn stays out of xp_0 and xp_l; the gate kernel adds it inside r ⊙ (·).)
/// The model is always in eval mode here (no dropout). The weights are copied when the stepper is built, so
/// later training does not reach it: build a new one. An instance holds scratch buffers and is not thread-safe.
/// With a <see cref="WorkerPool"/>, <see cref="Step"/> splits each layer's hidden units into chunks that run as separate
/// work items, and <see cref="Advance"/> runs the step as two roles, one of which computes the next step's W_hh h'
/// (<see cref="StepperPipeline"/>); every chunk is computed the same way whatever thread runs it, so the logits are
/// bit-identical for any pool size and either way (tested).
/// </summary>
public sealed class LanguageModelStepper : ITokenModel<LanguageModelStepState>
{
    private readonly StepperWeights _w;
    private readonly WorkerPool? _pool;
    private readonly float[] _xp, _hp, _acts, _aux;   // (G·H), (G·H), (G·H), (H): chunk order
    private readonly float[] _logits;                 // (V padded to 16)
    private readonly LayerWork _work;
    private readonly StepperPipeline? _pipeline;
    private readonly LanguageModelStepState _scratch;
    private readonly Int8Input[]? _stateInputs, _nextInputs;   // int8: h_l and h'_l quantised once per step (L each)

    /// <summary>
    /// Snapshots <paramref name="model"/>'s weights; <paramref name="pool"/> (optional) runs each layer's chunks in
    /// parallel; <paramref name="precision"/> chooses how the weight matrices are stored.
    /// </summary>
    public LanguageModelStepper(LanguageModel<float> model, WorkerPool? pool = null, StepperPrecision precision = StepperPrecision.Float32)
        : this(model, pool, precision, int8Kernel: null)
    {
    }

    /// <summary>
    /// As the public constructor, with the int8 mat-vec's kernel given (null: <see cref="KernelPath.DefaultInt8"/>), so
    /// that tests run the stepper on every kernel this machine has.
    /// </summary>
    internal LanguageModelStepper(LanguageModel<float> model, WorkerPool? pool, StepperPrecision precision, Int8Kernel? int8Kernel)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), $"LanguageModelStepper: unknown precision {precision}.");
        Config = model.Config;
        _w = new StepperWeights(model, precision);
        _pool = pool is { Threads: > 1 } ? pool : null;
        int gh = _w.G * _w.H;
        (_xp, _hp, _acts, _aux, _logits) = (new float[gh], new float[gh], new float[gh], new float[_w.H], new float[_w.DecoderRows]);
        _work = new LayerWork(this);
        _pipeline = _pool is null ? null : new StepperPipeline(this, _w, _pool);
        _scratch = InitialState();
        if (precision == StepperPrecision.Int8)
        {
            _stateInputs = new Int8Input[_w.L];
            _nextInputs = new Int8Input[_w.L];
            for (int l = 0; l < _w.L; l++)
            {
                var kernel = int8Kernel ?? KernelPath.DefaultInt8;
                (_stateInputs[l], _nextInputs[l]) = (new Int8Input(_w.H, kernel), new Int8Input(_w.H, kernel));
            }
        }
    }

    /// <summary>How the weight matrices are stored.</summary>
    public StepperPrecision Precision => _w.Precision;

    /// <summary>The configuration of the model the weights came from.</summary>
    public LanguageModelConfig Config { get; }

    /// <inheritdoc/>
    public int VocabularySize => _w.V;

    /// <summary>The zero state (what <see cref="LanguageModel{T}.Forward"/> starts from by default).</summary>
    public LanguageModelStepState InitialState() => new(_w.L, _w.H, _w.Spec.HasCellState);

    /// <summary>
    /// Consumes <paramref name="token"/> in <paramref name="state"/>, writes the V next-token logits and returns the
    /// new state. <paramref name="state"/> is not changed. Allocates only the returned state.
    /// </summary>
    public LanguageModelStepState Step(int token, LanguageModelStepState state, Span<float> logits)
    {
        var next = InitialState();
        Compute(token, state, next, logits);
        return next;
    }

    /// <summary>
    /// Like <see cref="Step"/>, but overwrites <paramref name="state"/> with the new state: allocates nothing.
    /// For a caller that owns the state and never branches it (plain sampling, streaming evaluation). With a pool,
    /// each call also computes the next call's hidden-side products W_hh h' on a second thread while this one finishes
    /// the step (<see cref="StepperPipeline"/>); the logits are bit-identical either way.
    /// </summary>
    public void Advance(int token, LanguageModelStepState state, Span<float> logits)
    {
        if (_pipeline is null) Compute(token, state, _scratch, logits);
        else
        {
            Check(token, state, logits);
            _pipeline.Advance(token, state, _scratch);
            _logits.AsSpan(0, _w.V).CopyTo(logits);
        }
        _scratch.Values.CopyTo(state.Values, 0);
    }

    private void Compute(int token, LanguageModelStepState state, LanguageModelStepState next, Span<float> logits)
    {
        Check(token, state, logits);
        PrepareState(state);
        for (int l = 0; l < _w.L; l++)
        {
            _work.Set(l, token, state, next);
            if (_pool is null)
                for (int c = 0; c < _w.Chunks; c++) LayerChunk(l, c, token, state, next);
            else
                _pool.Run(_w.Chunks, _work);
            PrepareNext(l, next);
        }
        _work.Set(0, 0, null, null);   // keep no reference to the caller's states between steps
        Decode(next);
        _logits.AsSpan(0, _w.V).CopyTo(logits);
    }

    private void Check(int token, LanguageModelStepState state, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(state);
        if ((uint)token >= (uint)_w.V)
            throw new ArgumentOutOfRangeException(nameof(token), $"LanguageModelStepper: token {token} is outside the vocabulary [0, {_w.V}).");
        if (state.NumLayers != _w.L || state.HiddenSize != _w.H || state.HasCell != _w.Spec.HasCellState)
            throw new ArgumentException($"LanguageModelStepper: the state is for (L, H) = ({state.NumLayers}, {state.HiddenSize}) {(state.HasCell ? "with" : "without")} a cell state, " +
                $"the model is ({_w.L}, {_w.H}) {Config.Cell} {(_w.Spec.HasCellState ? "with" : "without")} one.", nameof(state));
        if (logits.Length != _w.V)
            throw new ArgumentException($"LanguageModelStepper: {logits.Length} logits for V = {_w.V}.", nameof(logits));
    }

    /// <summary>Int8 matrices: quantises every layer's h of <paramref name="state"/> for the hidden-side products (<see cref="StateInput"/>).</summary>
    internal void PrepareState(LanguageModelStepState state)
    {
        for (int l = 0; _stateInputs is not null && l < _w.L; l++) _stateInputs[l].Prepare(state.H(l));
    }

    /// <summary>Int8 matrices: quantises h'_l once layer l of <paramref name="next"/> is complete (<see cref="NextInput"/>).</summary>
    internal void PrepareNext(int l, LanguageModelStepState next) => _nextInputs?[l].Prepare(next.H(l));

    /// <summary>h_l of the state last given to <see cref="PrepareState"/>, quantised (int8 matrices; else null).</summary>
    internal Int8Input? StateInput(int l) => _stateInputs?[l];

    /// <summary>h'_l last given to <see cref="PrepareNext"/>, quantised (int8 matrices; else null).</summary>
    internal Int8Input? NextInput(int l) => _nextInputs?[l];

    /// <summary>logits = W_dec h'_{L−1} + b_dec into the scratch logits (V padded to 16).</summary>
    internal void Decode(LanguageModelStepState next) => _w.Decoder.Multiply(0, next.H(_w.L - 1), NextInput(_w.L - 1), _w.DecoderBias, _logits);

    /// <summary>
    /// hp = W_hh_l h for the G·n rows of chunk <paramref name="chunk"/> (<paramref name="hp"/> is the layer's G·H, chunk
    /// order); <paramref name="hq"/> is h quantised (int8 matrices).
    /// </summary>
    internal void HiddenProduct(int l, int chunk, ReadOnlySpan<float> h, Int8Input? hq, Span<float> hp)
    {
        var (first, n) = _w.Chunk(chunk);
        int r0 = _w.G * first, rows = _w.G * n;
        _w.WeightHh[l].Multiply(r0, h, hq, default, hp.Slice(r0, rows));
    }

    /// <summary>
    /// Hidden units [first, first + n) of layer <paramref name="l"/>: the chunk's G·n pre-activation rows on both
    /// sides, then the gate kernel over those n units. Reads <paramref name="state"/> and layer l − 1 of
    /// <paramref name="next"/>; writes only this chunk of layer l of <paramref name="next"/> and of the scratch.
    /// </summary>
    private void LayerChunk(int l, int chunk, int token, LanguageModelStepState state, LanguageModelStepState next)
    {
        HiddenProduct(l, chunk, state.H(l), StateInput(l), _hp);
        InputAndGates(l, chunk, token, state, next, _hp);
    }

    /// <summary>
    /// The rest of <see cref="LayerChunk"/> once the chunk's rows of <paramref name="hpLayer"/> (the layer's G·H, chunk order)
    /// hold W_hh_l h_l: the input side xp (the layer-0 table, or W_ih_l h'_{l−1} + b) and the gate kernel.
    /// </summary>
    internal void InputAndGates(int l, int chunk, int token, LanguageModelStepState state, LanguageModelStepState next, ReadOnlySpan<float> hpLayer)
    {
        if (l > 0) InputProduct(l, chunk, next);
        Gates(l, chunk, token, state, next, hpLayer);
    }

    /// <summary>xp = W_ih_l h'_{l−1} + b_l for the G·n rows of chunk <paramref name="chunk"/> of a layer l &gt; 0, into the scratch xp.</summary>
    internal void InputProduct(int l, int chunk, LanguageModelStepState next)
    {
        var (first, n) = _w.Chunk(chunk);
        int r0 = _w.G * first, rows = _w.G * n;
        _w.WeightIh[l]!.Multiply(r0, next.H(l - 1), NextInput(l - 1), _w.Bias[l].AsSpan(r0, rows), _xp.AsSpan(r0, rows));
    }

    /// <summary>
    /// The gate kernel of chunk <paramref name="chunk"/> of layer <paramref name="l"/>, once its input side is ready (the
    /// layer-0 table row of <paramref name="token"/>, or the scratch xp from <see cref="InputProduct"/>) and the chunk's
    /// rows of <paramref name="hpLayer"/> hold W_hh_l h_l.
    /// </summary>
    internal void Gates(int l, int chunk, int token, LanguageModelStepState state, LanguageModelStepState next, ReadOnlySpan<float> hpLayer)
    {
        int G = _w.G, H = _w.H;
        var (first, n) = _w.Chunk(chunk);
        int r0 = G * first, rows = G * n;
        Span<float> acts = _acts.AsSpan(r0, rows);
        ReadOnlySpan<float> hp = hpLayer.Slice(r0, rows);
        ReadOnlySpan<float> xpLayer = l == 0 ? _w.InputTable.AsSpan(token * G * H + r0, rows) : _xp.AsSpan(r0, rows);

        // The cell's gate kernel: h (and c) on entry, h' (and c') on return; acts and aux (tanh(c') or ĥn) are scratch.
        Span<float> h = next.H(l).Slice(first, n);
        state.H(l).Slice(first, n).CopyTo(h);
        Span<float> c = default;
        if (_w.Spec.HasCellState)
        {
            c = next.C(l).Slice(first, n);
            state.C(l).Slice(first, n).CopyTo(c);
        }
        ReadOnlySpan<float> bhn = _w.Spec.HiddenBiasApart ? _w.BiasHn[l].AsSpan(first, n) : default;
        _w.Spec.StepForward(xpLayer, hp, bhn, h, c, acts, _aux.AsSpan(first, n));
    }

    /// <summary>One layer's chunks as pool work items (reused: nothing is allocated per step).</summary>
    private sealed class LayerWork(LanguageModelStepper stepper) : IParallelWork
    {
        private int _layer, _token;
        private LanguageModelStepState? _state, _next;

        public void Set(int layer, int token, LanguageModelStepState? state, LanguageModelStepState? next) =>
            (_layer, _token, _state, _next) = (layer, token, state, next);

        public void Execute(int index) => stepper.LayerChunk(_layer, index, _token, _state!, _next!);
    }
}
