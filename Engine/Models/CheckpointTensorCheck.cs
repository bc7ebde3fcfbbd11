using System.Text.Json.Nodes;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Models;

/// <summary>
/// Checks a checkpoint's tensors against its model config before the model is built (so a config claiming a huge
/// model fails at once instead of allocating it), and checks that every stored value is finite.
/// Each check returns the problem as a sentence naming the config field or the tensor, or null when there is none.
/// </summary>
public static class CheckpointTensorCheck
{
    /// <summary>
    /// The first disagreement between <paramref name="config"/> and the stored <paramref name="tensors"/>: the fields
    /// vocab_size, embedding_size, num_layers, hidden_size and cell are compared with the tensors that carry them
    /// (encoder.weight, the count of rnn.weight_ih_l*, rnn.weight_hh_l0), then every tensor's shape with
    /// <see cref="LanguageModelConfig.ParameterShapes"/>.
    /// </summary>
    public static string? LanguageModelMismatch<T>(LanguageModelConfig config, IReadOnlyDictionary<string, Tensor<T>> tensors)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!tensors.TryGetValue("encoder.weight", out var encoder) || encoder.Rank != 2)
            return "tensor 'encoder.weight' (V, E) is missing or not a matrix.";
        if (encoder.Dim(0) != config.VocabularySize)
            return $"model_config field 'vocab_size' is {config.VocabularySize} but tensor 'encoder.weight' has V = {encoder.Dim(0)} rows.";
        if (encoder.Dim(1) != config.EmbeddingSize)
            return $"model_config field 'embedding_size' is {config.EmbeddingSize} but tensor 'encoder.weight' has E = {encoder.Dim(1)} columns.";
        int layers = tensors.Keys.Count(k => k.StartsWith("rnn.weight_ih_l", StringComparison.Ordinal) && !k.EndsWith("_reverse", StringComparison.Ordinal));
        if (layers != config.NumLayers)
            return $"model_config field 'num_layers' is {config.NumLayers} but the file holds {layers} recurrent layer(s) (rnn.weight_ih_l*).";
        if (!tensors.TryGetValue("rnn.weight_hh_l0", out var hh) || hh.Rank != 2)
            return "tensor 'rnn.weight_hh_l0' (G·H, H) is missing or not a matrix.";
        if (hh.Dim(1) != config.HiddenSize)
            return $"model_config field 'hidden_size' is {config.HiddenSize} but tensor 'rnn.weight_hh_l0' has H = {hh.Dim(1)} columns.";
        if (hh.Dim(0) != (long)config.Gates * config.HiddenSize)
            return $"model_config field 'cell' is '{config.Cell.ToString().ToLowerInvariant()}' (G = {config.Gates} gates, G·H = {(long)config.Gates * config.HiddenSize}) " +
                   $"but tensor 'rnn.weight_hh_l0' has {hh.Dim(0)} rows.";
        return ShapeMismatch(config.ParameterShapes(), tensors);
    }

    /// <summary>
    /// The first disagreement between a <see cref="ModelCheckpoint"/> config of any kind and the stored
    /// <paramref name="tensors"/>, found without building the model: <c>recurrent_lm</c> by
    /// <see cref="LanguageModelMismatch{T}"/>; <c>sequential</c> by every shape of <see cref="LayerConfig.ParameterShapes"/>;
    /// <c>seq2seq</c> by <see cref="Seq2SeqConfig.ParameterCount"/> against the values stored. When it returns null the
    /// model the config describes holds no more values than the tensors, which are already in memory. An invalid config
    /// is the <see cref="FormatException"/> of its reader; an unknown kind returns null (the builder names it).
    /// </summary>
    internal static string? ModelMismatch<T>(JsonObject config, IReadOnlyDictionary<string, Tensor<T>> tensors)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string? type = config["type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        switch (type)
        {
            case "recurrent_lm":
                return LanguageModelMismatch(LanguageModelConfig.FromJson(config), tensors);
            case "sequential":
                return ShapeMismatch(LayerConfig.ParameterShapes(config), tensors);
            case "seq2seq":
                long needed = Seq2SeqConfig.FromJson(config).ParameterCount(), stored = tensors.Values.Sum(t => (long)t.Length);
                return needed == stored ? null : $"model_config describes a model of {needed} parameter values but the file holds {stored}.";
            default:
                return null;
        }
    }

    // The first of shapes whose tensor is missing or shaped otherwise.
    private static string? ShapeMismatch<T>(IEnumerable<(string Name, long[] Shape)> shapes, IReadOnlyDictionary<string, Tensor<T>> tensors)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (var (name, shape) in shapes)
        {
            if (!tensors.TryGetValue(name, out var t))
                return $"tensor '{name}' ({string.Join(", ", shape)}) that model_config needs is missing.";
            if (!t.Shape.ToArray().Select(d => (long)d).SequenceEqual(shape))
                return $"tensor '{name}' is {t.ShapeString}; model_config needs ({string.Join(", ", shape)}).";
        }
        return null;
    }

    /// <summary>The first tensor holding NaN or ±∞, named with the index and value of its first such entry; null when all are finite.</summary>
    public static string? FirstNonFinite<T>(IEnumerable<KeyValuePair<string, Tensor<T>>> tensors) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
        {
            ReadOnlySpan<T> values = tensor.Span;
            for (int i = 0; i < values.Length; i++)
                if (!T.IsFinite(values[i]))
                    return $"tensor '{name}' holds a non-finite value ({values[i]}) at flat index {i}; the model diverged or the file was altered.";
        }
        return null;
    }
}
