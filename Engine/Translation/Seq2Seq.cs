using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// An RNN encoder–decoder for translation (Sutskever et al. 2014; Bahdanau et al. 2015; Luong et al. 2015), trained with
/// teacher forcing (docs/seq2seq-model.md):
/// <code>
/// m, (h_enc, c_enc) = Encoder(x)                       m (B, S, D·H), h_enc (L·D, B, H)
/// s₀ = tanh(W_b [h_fwd; h_bwd] + b_b)                  the bridge, per layer: (L, B, D·H) → (L, B, H)
/// c₀ = tanh(W_bc [c_fwd; c_bwd] + b_bc)                LSTM only
/// z = Decoder(⟨bos⟩ y₁ … y_m | m, s₀)                  (B, U, V), U = m + 1
/// L = (1/N) Σ_{b,u valid} −log softmax(z_{b,u})[y_{b,u}]   mean cross-entropy per target token (⟨eos⟩ included)
/// </code>
/// Parameters: <c>encoder.*</c>, <c>bridge.weight</c>, <c>bridge.bias</c> (and <c>bridge_c.*</c> for an LSTM),
/// <c>decoder.*</c> (<see cref="Seq2SeqEncoder{T}"/>, <see cref="Seq2SeqDecoder{T}"/>).
/// </summary>
public sealed class Seq2Seq<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the model; every weight drawn from <paramref name="rng"/> in registration order (PyTorch default inits).</summary>
    public Seq2Seq(Seq2SeqConfig config, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate(nameof(config));
        Config = config;
        Encoder = AddModule("encoder", new Seq2SeqEncoder<T>(config, rng));
        Bridge = AddModule("bridge", new Linear<T>(config.MemorySize, config.HiddenSize, rng));
        BridgeC = config.Cell == RecurrentCell.Lstm ? AddModule("bridge_c", new Linear<T>(config.MemorySize, config.HiddenSize, rng)) : null;
        Decoder = AddModule("decoder", new Seq2SeqDecoder<T>(config, rng));
    }

    /// <summary>The configuration.</summary>
    public Seq2SeqConfig Config { get; }

    /// <summary>The encoder.</summary>
    public Seq2SeqEncoder<T> Encoder { get; }

    /// <summary>W_b (H, D·H), b_b.</summary>
    public Linear<T> Bridge { get; }

    /// <summary>W_bc, b_bc for the LSTM cell state, or null.</summary>
    public Linear<T>? BridgeC { get; }

    /// <summary>The decoder.</summary>
    public Seq2SeqDecoder<T> Decoder { get; }

    /// <summary>Encodes a padded source batch: memory, attention keys, lengths, s₀ and the summary.</summary>
    public Seq2SeqEncoding<T> Encode(TokenBatch source, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        var (memory, final) = Encoder.Forward(source, context);
        var h0 = BridgeState(Bridge, final.H, context.Pool);
        var c0 = BridgeC is null ? null : BridgeState(BridgeC, final.C!, context.Pool);
        var keys = Decoder.Attention?.Keys(memory, context.Pool);
        return new Seq2SeqEncoding<T>(memory, keys, (int[])source.Lengths.Clone(), new RecurrentState<T>(h0, c0), Seq2SeqDecoder<T>.Top(h0));
    }

    /// <summary>Teacher-forced logits (B·U, V), rows in (b, u) order like <see cref="PairBatch.DecoderTargets"/>.</summary>
    public Var<T> Logits(PairBatch batch, LayerContext context)
    {
        var features = Features(batch, context);
        return Ops.Reshape(Decoder.Out.Forward(features, context.Pool), -1, Config.TargetVocabulary);
    }

    /// <summary>
    /// The cross-entropy of the batch's targets, padding ignored: the mean per target token, or the sum. The output
    /// projection and the loss are one op over the target positions (<see cref="Ops.LinearCrossEntropy{T}"/>: the logits
    /// are never a value of the graph, and padded positions are never multiplied), and the fused Bahdanau decoder stops
    /// each row after its target; it equals <c>SoftmaxCrossEntropy(Logits(batch), targets)</c>.
    /// <paramref name="labelSmoothing"/> ε trains towards (1 − ε)·onehot + ε/V (PyTorch's <c>label_smoothing</c>).
    /// </summary>
    public Var<T> Loss(PairBatch batch, LayerContext context, Reduction reduction = Reduction.Mean, int ignoreIndex = -100, double labelSmoothing = 0) =>
        Ops.LinearCrossEntropy(Ops.Reshape(Features(batch, context, skipPadding: true), -1, Config.HiddenSize), Decoder.Out.Weight, Decoder.Out.Bias,
            batch.DecoderTargets, reduction, ignoreIndex, context.Pool, labelSmoothing);

    /// <summary>What the output projection reads, after dropout: (B, U, H); with <paramref name="skipPadding"/>, possibly 0 at padding.</summary>
    private Var<T> Features(PairBatch batch, LayerContext context, bool skipPadding = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var encoding = Encode(batch.Source, context);
        var input = batch.DecoderInput;
        var embedded = Decoder.Embed(input.Ids, input.BatchSize, input.Steps, context);
        var (features, _) = Decoder.Features(embedded, input.Lengths, encoding, context, skipPadding);
        return Decoder.Drop.Forward(features, context.Rng, context.Pool);
    }

    /// <summary>
    /// tanh(W [h_fwd; h_bwd] + b) for every layer: (L·D, B, H) → (L, B, H). ∂W sums the L·B rows; in (L, B) order a pair's
    /// L rows lie B apart, and beyond one k slice of the GEMM (L·B &gt; 320) they would be summed in several parts in the
    /// batch but in one chain alone. Such a batch goes through the layer in pair order (B, L, D·H), whose rows Linear sums
    /// in chunks of whole pairs (docs/masking.md §3.4); up to one slice both orders give each pair one chain.
    /// </summary>
    private Var<T> BridgeState(Linear<T> bridge, Var<T> h, WorkerPool? pool)
    {
        int d = Config.Directions, l = Config.NumLayers, hidden = Config.HiddenSize, b = h.Value.Dim(1);
        var joined = d == 1 ? h : Ops.Reshape(Ops.Transpose(Ops.Reshape(h, l, d, b, hidden), 1, 2), l, b, d * hidden);   // (L, B, D·H)
        if (l == 1 || l * b <= GemmBlocking.For<T>().MaxKC) return Ops.Tanh(bridge.Forward(joined, pool));
        return Ops.Transpose(Ops.Tanh(bridge.Forward(Ops.Transpose(joined, 0, 1), pool)), 0, 1);                     // via (B, L, ·)
    }
}
