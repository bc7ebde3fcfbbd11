using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// The JSON description of a layer (what its constructor needs besides the random source), so a model made of layers
/// can be stored beside its weights and rebuilt from them. The keys follow PyTorch's constructor arguments
/// (<c>num_embeddings</c>, <c>hidden_size</c>, <c>bidirectional</c>…); <c>type</c> names the layer. docs/training.md §5
/// lists the types.
/// </summary>
public static partial class LayerConfig
{
    /// <summary>The description of <paramref name="layer"/>; a layer kind without one is a <see cref="NotSupportedException"/> naming it.</summary>
    public static JsonObject ToJson<T>(Module<T> layer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer switch
        {
            Embedding<T> e => Embedding(e),
            Linear<T> l => new() { ["type"] = "linear", ["in_features"] = l.InFeatures, ["out_features"] = l.OutFeatures, ["bias"] = l.Bias is not null },
            Dropout<T> d => new() { ["type"] = "dropout", ["p"] = d.P },
            LastStep<T> l => new() { ["type"] = "last_step", ["bidirectional"] = l.Bidirectional },
            MaskedMaxPool<T> => new() { ["type"] = "masked_max_pool" },
            MaskedMeanPool<T> => new() { ["type"] = "masked_mean_pool" },
            Activation<T> a => new() { ["type"] = "activation", ["function"] = a.Function.ToString().ToLowerInvariant() },
            RecurrentLayer<T> r => Recurrent(r),
            Sequential<T> s => new() { ["type"] = "sequential", ["layers"] = new JsonArray([.. s.Layers.Select(x => (JsonNode)ToJson(x))]) },
            _ => throw new NotSupportedException($"LayerConfig: {Checks.TypeName(layer.GetType())} has no stored description; save its weights with StateDict instead."),
        };
    }

    /// <summary>The description of <paramref name="layer"/>, or null when it (or a layer inside it) has none (a layer of your own).</summary>
    internal static JsonObject? TryToJson<T>(Module<T> layer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        try { return ToJson(layer); }
        catch (NotSupportedException) { return null; }
    }

    /// <summary>Builds the layer <paramref name="json"/> describes, drawing its initial weights from <paramref name="rng"/>.</summary>
    /// <exception cref="FormatException">An unknown type or a missing, ill-typed or out-of-range field, named.</exception>
    public static Module<T> FromJson<T>(JsonObject json, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(rng);
        string type = Get<string>(json, "type");
        try
        {
            return type switch
            {
                "embedding" => new Embedding<T>(Size(json, "num_embeddings"), Size(json, "embedding_dim"), rng,
                    json["padding_idx"] is null ? null : Get<int>(json, "padding_idx")),
                "linear" => new Linear<T>(Size(json, "in_features"), Size(json, "out_features"), rng, Get<bool>(json, "bias")),
                "dropout" => new Dropout<T>(Get<double>(json, "p")),
                "last_step" => new LastStep<T>(json["bidirectional"] is null ? false : Get<bool>(json, "bidirectional")),
                "masked_max_pool" => new MaskedMaxPool<T>(),
                "masked_mean_pool" => new MaskedMeanPool<T>(),
                "activation" => new Activation<T>(Get<string>(json, "function") switch
                {
                    "tanh" => ActivationFunction.Tanh,
                    "sigmoid" => ActivationFunction.Sigmoid,
                    "relu" => ActivationFunction.Relu,
                    var f => throw new FormatException($"layer config (activation): function '{f}' is not tanh, sigmoid or relu."),
                }),
                "lstm" or "gru" or "rnn" => Recurrent<T>(type, json, rng),
                "sequential" => new Sequential<T>([.. (json["layers"] as JsonArray ?? throw new FormatException("layer config: 'layers' is missing or not an array."))
                    .Select((x, i) => FromJson<T>(x as JsonObject ?? throw new FormatException($"layer config: layer {i} is not an object."), rng))]),
                _ => throw new FormatException($"layer config: unknown layer type '{type}'."),
            };
        }
        catch (ArgumentException e) { throw new FormatException($"layer config ({type}): {e.Message}", e); }
    }

    // nn.Embedding's names; padding_idx only when there is one.
    private static JsonObject Embedding<T>(Embedding<T> e) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var json = new JsonObject { ["type"] = "embedding", ["num_embeddings"] = e.NumEmbeddings, ["embedding_dim"] = e.EmbeddingDim };
        if (e.PaddingIndex is { } p) json["padding_idx"] = p;
        return json;
    }

    // PyTorch's names: nn.LSTM / nn.GRU / nn.RNN(nonlinearity="tanh" | "relu").
    private static JsonObject Recurrent<T>(RecurrentLayer<T> r) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var json = new JsonObject
        {
            ["type"] = r.Cell switch
            {
                RecurrentCell.Lstm => "lstm",
                RecurrentCell.Gru => "gru",
                RecurrentCell.Rnn or RecurrentCell.RnnRelu => "rnn",
                _ => throw new UnreachableException($"LayerConfig: recurrent cell {r.Cell}."),   // a layer's cell comes from its CellSpec, one of the four
            },
            ["input_size"] = r.InputSize,
            ["hidden_size"] = r.HiddenSize,
            ["num_layers"] = r.NumLayers,
            ["bidirectional"] = r.Options.Bidirectional,
            ["dropout"] = r.Options.Dropout,
        };
        if (r.Cell is RecurrentCell.Rnn or RecurrentCell.RnnRelu) json["nonlinearity"] = r.Cell == RecurrentCell.RnnRelu ? "relu" : "tanh";
        return json;
    }

    private static Module<T> Recurrent<T>(string type, JsonObject json, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int input = Size(json, "input_size"), hidden = Size(json, "hidden_size");
        var options = new RecurrentOptions(Size(json, "num_layers"), Get<bool>(json, "bidirectional"), Get<double>(json, "dropout"));
        var cell = CellOf(type);
        if (cell == RecurrentCell.Rnn)
        {
            cell = Get<string>(json, "nonlinearity") switch
            {
                "tanh" => RecurrentCell.Rnn,
                "relu" => RecurrentCell.RnnRelu,
                var n => throw new FormatException($"layer config (rnn): nonlinearity '{n}' is not tanh or relu."),
            };
        }
        return RecurrentLayer<T>.Create(cell, input, hidden, rng, options);
    }

    // The cell of a recurrent layer type (lstm, gru or rnn); rnn is named by its tanh form, which has the same weights as
    // the relu one: the nonlinearity field tells them apart.
    private static RecurrentCell CellOf(string type) => type switch
    {
        "lstm" => RecurrentCell.Lstm,
        "gru" => RecurrentCell.Gru,
        _ => RecurrentCell.Rnn,
    };

    // A size that sizes an allocation: positive and at most 2^24 per axis. This bounds each axis only: a product of sizes
    // (in_features · out_features, or num_layers layers) can still reach gigabytes.
    private static int Size(JsonObject json, string key)
    {
        int n = Get<int>(json, key);
        if (n is < 1 or > 1 << 24) throw new FormatException($"layer config: '{key}' = {n.ToString(CultureInfo.InvariantCulture)} is outside [1, 2^24].");
        return n;
    }

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw new FormatException($"layer config: field '{key}' is missing or not a {typeof(TValue).Name.ToLowerInvariant()}.");
        return value;
    }
}
