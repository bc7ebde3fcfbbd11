using System.Globalization;
using System.Text.Json.Nodes;

namespace SeqLearn.Nn;

public static partial class LayerConfig
{
    /// <summary>
    /// The parameters the layer <paramref name="json"/> describes would hold, in <see cref="Module{T}.NamedParameters"/>
    /// order, with their shapes, computed from the sizes alone (nothing is allocated, dimensions are longs); names
    /// start with <paramref name="prefix"/>. The size fields are read as <see cref="FromJson{T}"/> reads them, so a
    /// missing or out-of-range size is the same <see cref="FormatException"/>; fields that size nothing (dropout,
    /// nonlinearity, activation function) are left to <see cref="FromJson{T}"/>.
    /// </summary>
    internal static IEnumerable<(string Name, long[] Shape)> ParameterShapes(JsonObject json, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(json);
        string type = Get<string>(json, "type");
        switch (type)
        {
            case "embedding":
                yield return (prefix + "weight", [Size(json, "num_embeddings"), Size(json, "embedding_dim")]);
                break;
            case "linear":
                long inFeatures = Size(json, "in_features"), outFeatures = Size(json, "out_features");
                yield return (prefix + "weight", [outFeatures, inFeatures]);
                if (Get<bool>(json, "bias")) yield return (prefix + "bias", [outFeatures]);
                break;
            case "lstm" or "gru" or "rnn":
                long input = Size(json, "input_size"), hidden = Size(json, "hidden_size");
                int layers = Size(json, "num_layers"), directions = Get<bool>(json, "bidirectional") ? 2 : 1;
                long gh = CellSpec.Of(CellOf(type)).Gates * hidden;
                for (int l = 0; l < layers; l++)
                    for (int d = 0; d < directions; d++)
                    {
                        string sfx = $"_l{l.ToString(CultureInfo.InvariantCulture)}{(d == 1 ? "_reverse" : "")}";
                        yield return (prefix + "weight_ih" + sfx, [gh, l == 0 ? input : directions * hidden]);
                        yield return (prefix + "weight_hh" + sfx, [gh, hidden]);
                        yield return (prefix + "bias_ih" + sfx, [gh]);
                        yield return (prefix + "bias_hh" + sfx, [gh]);
                    }
                break;
            case "sequential":
                var items = json["layers"] as JsonArray ?? throw new FormatException("layer config: 'layers' is missing or not an array.");
                for (int i = 0; i < items.Count; i++)
                {
                    var layer = items[i] as JsonObject ?? throw new FormatException($"layer config: layer {i} is not an object.");
                    foreach (var shape in ParameterShapes(layer, $"{prefix}{i.ToString(CultureInfo.InvariantCulture)}."))
                        yield return shape;
                }
                break;
            case "dropout" or "last_step" or "masked_max_pool" or "masked_mean_pool" or "activation":
                break;
            default:
                throw new FormatException($"layer config: unknown layer type '{type}'.");
        }
    }
}
