using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Models;

/// <summary>
/// A recurrent language model, the model of char-rnn and of Zaremba et al. (2014):
/// <code>
/// e = Dropout(W_emb[x])                    x (B, T) ids         e (B, T, E)
/// y, state' = RNN_L(e, state)               (dropout between layers)   y (B, T, H)
/// logits = Dropout(y) W_decᵀ + b_dec        (B·T, V)
/// </code>
/// Parameter names are those of PyTorch's word_language_model example: <c>encoder.weight</c>,
/// <c>rnn.weight_ih_l0</c>…, <c>decoder.weight</c>, <c>decoder.bias</c> (with tied weights the decoder uses
/// <c>encoder.weight</c> and owns only its bias). docs/lm.md walks through it.
/// </summary>
public sealed class LanguageModel<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Embedding<T> _encoder;
    private readonly RecurrentLayer<T> _rnn;
    private readonly Dropout<T> _drop;
    private readonly Linear<T>? _decoder;
    private readonly TiedDecoder? _tied;

    /// <summary>Builds the model and draws its weights from <paramref name="rng"/> (encoder, rnn, decoder, in that order).</summary>
    public LanguageModel(LanguageModelConfig config, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate(nameof(config));
        Config = config;
        int v = config.VocabularySize, e = config.EmbeddingSize, h = config.HiddenSize;
        _encoder = AddModule("encoder", new Embedding<T>(v, e, rng));
        var options = new RecurrentOptions(NumLayers: config.NumLayers, Dropout: config.NumLayers > 1 ? config.Dropout : 0);
        _rnn = AddModule("rnn", RecurrentLayer<T>.Create(config.Cell, e, h, rng, options));
        _drop = AddModule("drop", new Dropout<T>(config.Dropout));
        if (config.TieWeights)
        {
            _tied = AddModule("decoder", new TiedDecoder(h, v, rng));
        }
        else
        {
            _decoder = AddModule("decoder", new Linear<T>(h, v, rng));
        }
        if (config.InitRange is { } r)
        {
            T bound = T.CreateTruncating(r);
            if (!T.IsFinite(bound))   // a finite double can be past float's range: U(−∞, ∞) would draw NaN weights
                throw new ArgumentException($"LanguageModel: init range {r} is not finite in {typeof(T).Name}.", nameof(config));
            foreach (var p in Parameters())
                Tensor<T>.Uniform(p.Value.ShapeArray(), -bound, bound, rng).Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>The configuration the model was built with.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>V.</summary>
    public int VocabularySize => Config.VocabularySize;

    /// <summary>The embedding table W_emb (V, E).</summary>
    public Embedding<T> Encoder => _encoder;

    /// <summary>The stacked recurrent layer.</summary>
    public RecurrentLayer<T> Recurrent => _rnn;

    /// <summary>W_dec (V, H): the decoder's weight, or the embedding table when weights are tied.</summary>
    public Var<T> DecoderWeight => _decoder?.Weight ?? _encoder.Weight;

    /// <summary>b_dec (V).</summary>
    public Var<T> DecoderBias => _decoder?.Bias ?? _tied!.Bias;

    /// <summary>A zero state for a batch of <paramref name="batch"/> rows.</summary>
    public RecurrentState<T> InitialState(int batch) => _rnn.InitialState(batch);

    /// <summary>
    /// inputs (B, T) token ids, row-major (row b is one stream: <c>inputs[b·T + t]</c>) → logits (B·T, V) in the
    /// same row order, and the state after the last step. <paramref name="state"/> defaults to zeros; for truncated
    /// BPTT pass the previous window's state after <see cref="RecurrentState{T}.Detach"/>.
    /// <paramref name="dropoutRng"/> is required when dropout is on in training mode.
    /// </summary>
    public (Var<T> Logits, RecurrentState<T> State) Forward(ReadOnlySpan<int> inputs, int batch, int steps,
        RecurrentState<T>? state = null, SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        var (rows, next) = Hidden(inputs, batch, steps, state, dropoutRng, pool);
        var logits = Ops.MatMul(rows, DecoderWeight, transposeB: true, pool: pool) + DecoderBias; // (B·T, V)
        return (logits, next);
    }

    /// <summary>The decoder's input: Dropout(y) as rows (B·T, H), and the state after the last step.</summary>
    private (Var<T> Rows, RecurrentState<T> State) Hidden(ReadOnlySpan<int> inputs, int batch, int steps,
        RecurrentState<T>? state, SeededRng? dropoutRng, WorkerPool? pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (state is not null && state.BatchSize != batch)
            throw new ArgumentException($"LanguageModel.Forward: the state is for a batch of {state.BatchSize}, the inputs for {batch}.", nameof(state));
        var e = _drop.Forward(_encoder.Forward(inputs, batch, steps), dropoutRng, pool);        // (B, T, E)
        var (y, next) = _rnn.Forward(e, state, dropoutRng: dropoutRng, pool: pool);        // (B, T, H)
        var rows = Ops.Reshape(_drop.Forward(y, dropoutRng, pool), batch * steps, Config.HiddenSize); // (B·T, H)
        return (rows, next);
    }

    /// <summary>
    /// The mean cross-entropy per token of predicting <paramref name="targets"/> (B·T, row-major like the inputs),
    /// with the state after the window. This is the training objective; exp(loss) is the window's perplexity.
    /// The decoder and the loss run as one op (<see cref="Ops.LinearCrossEntropy{T}"/>), so the (B·T, V) logits are
    /// never stored in the graph; the value equals <c>SoftmaxCrossEntropy(Forward(…).Logits, targets)</c>.
    /// </summary>
    public (Var<T> Loss, RecurrentState<T> State) Loss(ReadOnlySpan<int> inputs, int[] targets, int batch, int steps,
        RecurrentState<T>? state = null, SeededRng? dropoutRng = null, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Length != batch * steps)
            throw new ArgumentException($"LanguageModel.Loss: {targets.Length} targets for (B, T) = ({batch}, {steps}).", nameof(targets));
        var (rows, next) = Hidden(inputs, batch, steps, state, dropoutRng, pool);
        return (Ops.LinearCrossEntropy(rows, DecoderWeight, DecoderBias, targets, pool: pool), next);
    }

    /// <summary>The decoder of a tied model: only its bias (<c>decoder.bias</c>, U(−1/√H, 1/√H) as nn.Linear's); its weight is the embedding table.</summary>
    private sealed class TiedDecoder : Module<T>
    {
        public TiedDecoder(int hidden, int vocabulary, SeededRng rng)
        {
            T bound = T.One / T.Sqrt(T.CreateTruncating(hidden));
            Bias = AddParameter("bias", Tensor<T>.Uniform([vocabulary], -bound, bound, rng));
        }

        public Var<T> Bias { get; }
    }
}
