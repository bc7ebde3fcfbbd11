using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>What the decoder reads from the encoder, once per batch.</summary>
/// <param name="Memory">m (B, S, M), the encoder outputs (zero past each row's length).</param>
/// <param name="Keys">The attention keys of the memory (B, S, ·), or null without attention.</param>
/// <param name="Lengths">The source lengths (B).</param>
/// <param name="Initial">The decoder's initial state s₀ (L, B, H) (and c₀), from the bridge.</param>
/// <param name="Summary">The top layer of s₀ as (B, 1, H): the context of the attention-free decoder.</param>
public sealed record Seq2SeqEncoding<T>(Var<T> Memory, Var<T>? Keys, int[] Lengths, RecurrentState<T> Initial, Var<T> Summary)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>The decoder's state between steps: its RNN state (L, B, H) and, with input feeding, h̃ of the previous step (B, 1, H).</summary>
public sealed record Seq2SeqDecoderState<T>(RecurrentState<T> Rnn, Var<T>? Feed) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// The decoder of a <see cref="Seq2Seq{T}"/>. With y_{t−1} the previous target token (⟨bos⟩ first), e its embedding
/// (after dropout), s the RNN state and o the output projection (V, H):
/// <code>
/// none:            s_t = RNN([e_{t−1}; s₀ᵀᵒᵖ], s_{t−1})                          logits = o(s_t)
/// Bahdanau:        c_t = attend(q = s_{t−1}ᵀᵒᵖ);  s_t = RNN([e_{t−1}; c_t], s_{t−1})  logits = o(s_t)
/// Luong:           h_t = RNN(e_{t−1}, s_{t−1});  c_t = attend(q = h_t);  h̃_t = tanh(W_c [c_t; h_t])   logits = o(h̃_t)
/// Luong + feeding: h_t = RNN([e_{t−1}; h̃_{t−1}], s_{t−1}), h̃₀ = 0, then as Luong
/// </code>
/// (dropout before o). Without a per-step dependency (none, Luong) teacher forcing runs the fused RNN over all U steps
/// and the attention for all U queries at once (one GEMM per row over its valid source steps); one-layer Bahdanau runs
/// as one fused node over all steps (<see cref="FusedBahdanauDecoder"/>); deeper Bahdanau and input feeding loop over
/// the steps with <see cref="Step"/>.
/// The output projection runs once over all positions (<see cref="Seq2Seq{T}.Loss"/> fuses it with the cross-entropy, over
/// the target positions only).
/// Parameters <c>embedding.weight</c>, <c>rnn.*</c>, <c>attention.*</c>, <c>out.weight</c>, <c>out.bias</c>.
/// </summary>
public sealed class Seq2SeqDecoder<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the decoder of <paramref name="config"/>; weights from <paramref name="rng"/>.</summary>
    public Seq2SeqDecoder(Seq2SeqConfig config, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        int e = config.EmbeddingSize, h = config.HiddenSize, m = config.MemorySize;
        int input = config.Attention switch
        {
            AttentionKind.None => e + h,
            AttentionKind.Bahdanau => e + m,
            _ => config.InputFeeding ? e + h : e,
        };
        Embedding = AddModule("embedding", new Embedding<T>(config.TargetVocabulary, e, rng));
        Rnn = AddModule("rnn", RecurrentCalls.Create<T>(config.Cell, input, h, rng, new RecurrentOptions(config.NumLayers, false, config.Dropout)));
        Attention = config.Attention switch
        {
            AttentionKind.None => null,
            AttentionKind.Bahdanau => AddModule("attention", new BahdanauAttention<T>(m, h, config.AttentionSize ?? h, rng)),
            _ => AddModule("attention", new LuongAttention<T>(m, h, config.Attention == AttentionKind.LuongGeneral, rng)),
        };
        Out = AddModule("out", new Linear<T>(h, config.TargetVocabulary, rng));
        Drop = AddModule("dropout", new Dropout<T>(config.Dropout));
    }

    /// <summary>The configuration.</summary>
    public Seq2SeqConfig Config { get; }

    /// <summary>The target embedding (V_tgt, E).</summary>
    public Embedding<T> Embedding { get; }

    /// <summary>The recurrent layers.</summary>
    public RecurrentLayer<T> Rnn { get; }

    /// <summary>The attention, or null for <see cref="AttentionKind.None"/>.</summary>
    public Attention<T>? Attention { get; }

    /// <summary>The output projection o (V_tgt, H).</summary>
    public Linear<T> Out { get; }

    /// <summary>Dropout on the embeddings and before <see cref="Out"/>.</summary>
    public Dropout<T> Drop { get; }

    /// <summary>True when teacher forcing must loop over the steps (Bahdanau, input feeding).</summary>
    public bool Stepwise => Config.Attention == AttentionKind.Bahdanau || Config.InputFeeding;

    /// <summary>The embedded tokens ids (B·U, row-major) as (B, U, E), after dropout.</summary>
    public Var<T> Embed(ReadOnlySpan<int> ids, int batch, int steps, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Drop.Forward(Embedding.Forward(ids, batch, steps), context.Rng, context.Pool);
    }

    /// <summary>The initial decoder state for <paramref name="encoding"/> (h̃₀ = 0 with input feeding).</summary>
    public Seq2SeqDecoderState<T> Start(Seq2SeqEncoding<T> encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        var feed = Config.InputFeeding ? new Var<T>(Tensor<T>.Zeros(encoding.Lengths.Length, 1, Config.HiddenSize)) : null;
        return new Seq2SeqDecoderState<T>(encoding.Initial, feed);
    }

    /// <summary>
    /// Teacher forcing over all U steps: embedded decoder inputs (B, U, E) with their lengths → logits (B, U, V) and,
    /// with attention, the weights α (B, U, S).
    /// </summary>
    public (Var<T> Logits, Var<T>? Weights) Forward(Var<T> embedded, int[] lengths, Seq2SeqEncoding<T> encoding, LayerContext context)
    {
        var (features, weights) = Features(embedded, lengths, encoding, context);
        return (Project(features, context), weights);
    }

    /// <summary>
    /// Teacher forcing over all U steps up to the output projection: the vectors o reads, before dropout (B, U, H) (s_t,
    /// or h̃_t for Luong), and the weights α (B, U, S) (values only on the fused Bahdanau path: no gradient flows through them).
    /// With <paramref name="skipPadding"/> the fused Bahdanau path runs each row for its <paramref name="lengths"/> steps only
    /// and leaves 0 past them (for a loss that ignores padding); the other paths compute every step either way.
    /// </summary>
    public (Var<T> Features, Var<T>? Weights) Features(Var<T> embedded, int[] lengths, Seq2SeqEncoding<T> encoding, LayerContext context,
        bool skipPadding = false)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(context);
        int u = embedded.Value.Dim(1);
        if (FusesTeacherForcing)
        {
            var attention = (BahdanauAttention<T>)Attention!;
            var (fused, weights) = FusedBahdanauDecoder.Run(Config.Cell, embedded, encoding.Keys!, encoding.Memory, encoding.Lengths, encoding.Initial.H,
                encoding.Initial.C, attention.WQ.Weight, attention.V.Weight, Rnn.WeightsOf(0, 0), context.Pool,
                skipPadding ? lengths : null);
            return (fused, weights);
        }
        if (Stepwise)
        {
            var state = Start(encoding);
            var features = new Var<T>[u];
            var weights = new Var<T>?[u];
            for (int t = 0; t < u; t++)
                (features[t], state, weights[t]) = StepCore(Ops.Slice(embedded, 1, t, 1), state, encoding, context);
            return (Ops.Concat(features, 1), Ops.Concat(weights.Select(w => w!).ToArray(), 1));
        }
        if (Attention is null)
        {
            var x = Ops.Concat([embedded, Ops.Concat(Enumerable.Repeat(encoding.Summary, u).ToArray(), 1)], 2);   // (B, U, E + H)
            var (y, _) = RecurrentCalls.Run(Rnn, x, encoding.Initial, lengths, context.Rng, context.Pool);
            return (y, null);
        }
        var (h, _) = RecurrentCalls.Run(Rnn, embedded, encoding.Initial, lengths, context.Rng, context.Pool);      // (B, U, H)
        var (c, alpha) = Attention.Attend(h, encoding.Keys!, encoding.Memory, encoding.Lengths, context.Pool);     // (B, U, M), (B, U, S)
        return (((LuongAttention<T>)Attention).AttentionalVector(c, h, context.Pool), alpha);                      // h̃ (B, U, H)
    }

    /// <summary>
    /// True (the default) to run teacher-forced Bahdanau with one layer as one fused node (<see cref="FusedBahdanauDecoder"/>);
    /// false for the step loop it equals (tests compare the two).
    /// </summary>
    internal bool FuseBahdanau { get; set; } = true;

    private bool FusesTeacherForcing => FuseBahdanau && Config.Attention == AttentionKind.Bahdanau && Config.NumLayers == 1;

    /// <summary>
    /// One step: embedded previous tokens (B, 1, E) → logits (B, 1, V), the next state, and the attention weights
    /// (B, 1, S) (null without attention).
    /// </summary>
    public (Var<T> Logits, Seq2SeqDecoderState<T> Next, Var<T>? Weights) Step(Var<T> embedded, Seq2SeqDecoderState<T> state,
        Seq2SeqEncoding<T> encoding, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(context);
        var (features, next, weights) = StepCore(embedded, state, encoding, context);
        return (Project(features, context), next, weights);
    }

    /// <summary>One step up to the output projection: the features (B, 1, H) before dropout, the next state, α.</summary>
    private (Var<T> Features, Seq2SeqDecoderState<T> Next, Var<T>? Weights) StepCore(Var<T> e, Seq2SeqDecoderState<T> state,
        Seq2SeqEncoding<T> enc, LayerContext context)
    {
        var pool = context.Pool;
        switch (Config.Attention)
        {
            case AttentionKind.None:
            {
                var (y, s) = RecurrentCalls.Run(Rnn, Ops.Concat([e, enc.Summary], 2), state.Rnn, null, context.Rng, pool);
                return (y, new Seq2SeqDecoderState<T>(s, null), null);
            }
            case AttentionKind.Bahdanau:
            {
                var q = Top(state.Rnn.H);                                                             // (B, 1, H)
                var (c, alpha) = Attention!.Attend(q, enc.Keys!, enc.Memory, enc.Lengths, pool);      // (B, 1, M)
                var (y, s) = RecurrentCalls.Run(Rnn, Ops.Concat([e, c], 2), state.Rnn, null, context.Rng, pool);
                return (y, new Seq2SeqDecoderState<T>(s, null), alpha);
            }
            default:
            {
                var x = state.Feed is null ? e : Ops.Concat([e, state.Feed], 2);
                var (h, s) = RecurrentCalls.Run(Rnn, x, state.Rnn, null, context.Rng, pool);          // (B, 1, H)
                var (c, alpha) = Attention!.Attend(h, enc.Keys!, enc.Memory, enc.Lengths, pool);
                var hTilde = ((LuongAttention<T>)Attention).AttentionalVector(c, h, pool);           // (B, 1, H)
                return (hTilde, new Seq2SeqDecoderState<T>(s, Config.InputFeeding ? hTilde : null), alpha);
            }
        }
    }

    /// <summary>The top layer of a state (L, B, H) as queries (B, 1, H).</summary>
    internal static Var<T> Top(Var<T> h)
    {
        int l = h.Value.Dim(0), b = h.Value.Dim(1), hidden = h.Value.Dim(2);
        return Ops.Reshape(Ops.Slice(h, 0, l - 1, 1), b, 1, hidden);
    }

    private Var<T> Project(Var<T> y, LayerContext context) => Out.Forward(Drop.Forward(y, context.Rng, context.Pool), context.Pool);   // (B, U, V)
}
