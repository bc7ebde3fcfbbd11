using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The encoder of a <see cref="Seq2Seq{T}"/>: x (B, S) ids → embedding (B, S, E) → dropout → GRU/LSTM of L layers, D
/// directions, each row stopped at its source length:
/// <code>
/// memory m (B, S, D·H)   the last layer's outputs, zero past each row's length (the attention memory)
/// final  (L·D, B, H)     h (and c) of every layer and direction at the row's last valid step
/// </code>
/// Parameters <c>embedding.weight</c> and <c>rnn.*</c> (PyTorch <c>nn.GRU</c>/<c>nn.LSTM</c> names).
/// </summary>
public sealed class Seq2SeqEncoder<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the encoder of <paramref name="config"/>; weights from <paramref name="rng"/>.</summary>
    public Seq2SeqEncoder(Seq2SeqConfig config, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        Embedding = AddModule("embedding", new Embedding<T>(config.SourceVocabulary, config.EmbeddingSize, rng));
        Rnn = AddModule("rnn", RecurrentCalls.Create<T>(config.Cell, config.EmbeddingSize, config.HiddenSize, rng,
            new RecurrentOptions(config.NumLayers, config.Bidirectional, config.Dropout)));
        EmbeddingDropout = AddModule("dropout", new Dropout<T>(config.Dropout));
    }

    /// <summary>The source embedding (V_src, E).</summary>
    public Embedding<T> Embedding { get; }

    /// <summary>The recurrent layers.</summary>
    public RecurrentLayer<T> Rnn { get; }

    /// <summary>Dropout on the embeddings.</summary>
    public Dropout<T> EmbeddingDropout { get; }

    /// <summary>The memory (B, S, D·H) and the final state (L·D, B, H) of a padded source batch.</summary>
    public (Var<T> Memory, RecurrentState<T> Final) Forward(TokenBatch source, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        var x = EmbeddingDropout.Forward(Embedding.Forward(source.Ids, source.BatchSize, source.Steps), context.Rng, context.Pool);   // (B, S, E)
        return RecurrentCalls.Run(Rnn, x, null, source.Lengths, context.Rng, context.Pool);
    }
}
