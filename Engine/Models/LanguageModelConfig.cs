using System.Globalization;
using System.Text.Json.Nodes;
using SeqLearn.Nn;

namespace SeqLearn.Models;

/// <summary>
/// The shape of a recurrent language model: embedding (V, E) → L stacked cells of H units → linear (V, H).
/// </summary>
/// <param name="VocabularySize">V, the number of token ids.</param>
/// <param name="EmbeddingSize">E.</param>
/// <param name="HiddenSize">H.</param>
/// <param name="NumLayers">L.</param>
/// <param name="Cell">The recurrent cell.</param>
/// <param name="Dropout">Dropout probability on the embeddings, between the recurrent layers and on the last
/// layer's output (training mode only), as in Zaremba et al. and PyTorch's word_language_model example.</param>
/// <param name="TieWeights">Share the embedding table as the output layer's weight (Press &amp; Wolf 2017);
/// needs E = H. The output layer then has only its bias as its own parameter.</param>
/// <param name="InitRange">When set, every parameter is drawn from U(−r, r) (Zaremba et al. use 0.1) instead of
/// the PyTorch defaults of each layer.</param>
public sealed record LanguageModelConfig(int VocabularySize, int EmbeddingSize = 64, int HiddenSize = 256, int NumLayers = 2,
    RecurrentCell Cell = RecurrentCell.Lstm, double Dropout = 0, bool TieWeights = false, double? InitRange = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate() => Validate(paramName: null);

    /// <summary>
    /// As <see cref="Validate()"/>, the exception naming <paramref name="paramName"/>: the parameter of the caller that was
    /// given this config.
    /// </summary>
    internal void Validate(string? paramName)
    {
        if (VocabularySize < 1) throw new ArgumentException($"LanguageModelConfig: vocabulary size must be ≥ 1, got {VocabularySize}.", paramName);
        if (EmbeddingSize < 1) throw new ArgumentException($"LanguageModelConfig: embedding size must be ≥ 1, got {EmbeddingSize}.", paramName);
        if (HiddenSize < 1) throw new ArgumentException($"LanguageModelConfig: hidden size must be ≥ 1, got {HiddenSize}.", paramName);
        if (NumLayers < 1) throw new ArgumentException($"LanguageModelConfig: layers must be ≥ 1, got {NumLayers}.", paramName);
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"LanguageModelConfig: dropout must be in [0, 1), got {Dropout}.", paramName);
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"LanguageModelConfig: tied weights need embedding size = hidden size, got {EmbeddingSize} and {HiddenSize}.", paramName);
        if (InitRange is { } r && !(r > 0 && double.IsFinite(r)))
            throw new ArgumentException($"LanguageModelConfig: init range must be a positive number, got {r}.", paramName);
        if (!Enum.IsDefined(Cell)) throw new ArgumentException($"LanguageModelConfig: unknown cell {(int)Cell}.", paramName);
        // The largest tensors are V·E, G·H·max(E, H) and V·H values; each must fit one array.
        long largest = Math.Max(Math.Max((long)VocabularySize * EmbeddingSize, (long)VocabularySize * HiddenSize),
            (long)Gates * HiddenSize * Math.Max(EmbeddingSize, HiddenSize));
        if (largest > Array.MaxLength)
            throw new ArgumentException($"LanguageModelConfig: V = {VocabularySize}, E = {EmbeddingSize}, H = {HiddenSize} give a weight of {largest} values, more than one array holds ({Array.MaxLength}).", paramName);
    }

    /// <summary>G, the gates of the cell (its <see cref="ICellSpec"/>): 4 (LSTM), 3 (GRU), 1 (Elman RNN).</summary>
    public int Gates => CellSpec.Of(Cell).Gates;

    /// <summary>
    /// The parameters the model built from this config holds, in its order, with their shapes, computed without building it:
    /// <c>encoder.weight</c> (V, E); per layer l <c>rnn.weight_ih_l{l}</c> (G·H, E or H), <c>rnn.weight_hh_l{l}</c> (G·H, H),
    /// <c>rnn.bias_ih_l{l}</c>, <c>rnn.bias_hh_l{l}</c> (G·H); <c>decoder.weight</c> (V, H) unless tied; <c>decoder.bias</c> (V).
    /// Dimensions are longs, so a huge config is reported instead of overflowing.
    /// </summary>
    public IEnumerable<(string Name, long[] Shape)> ParameterShapes()
    {
        long v = VocabularySize, e = EmbeddingSize, h = HiddenSize, gh = (long)Gates * HiddenSize;
        yield return ("encoder.weight", [v, e]);
        for (int l = 0; l < NumLayers; l++)
        {
            yield return ($"rnn.weight_ih_l{l}", [gh, l == 0 ? e : h]);
            yield return ($"rnn.weight_hh_l{l}", [gh, h]);
            yield return ($"rnn.bias_ih_l{l}", [gh]);
            yield return ($"rnn.bias_hh_l{l}", [gh]);
        }
        if (!TieWeights) yield return ("decoder.weight", [v, h]);
        yield return ("decoder.bias", [v]);
    }

    /// <summary>P, the number of trainable values, in closed form: V·E + G·H·(E + 2) + (L − 1)·G·H·(H + 2) + L·G·H·H + [untied] V·H + V.</summary>
    public long ParameterCount()
    {
        double v = VocabularySize, e = EmbeddingSize, h = HiddenSize, gh = (double)Gates * HiddenSize, l = NumLayers;
        double p = v * e + gh * (e + 2) + (l - 1) * gh * (h + 2) + l * gh * h + (TieWeights ? 0 : v * h) + v;
        return p >= long.MaxValue ? long.MaxValue : (long)p;
    }

    /// <summary>
    /// A, the activation values one training window of B streams and T steps keeps for the backward pass, with their
    /// gradients: 2·B·T·(E + L·(G + 3)·H + 2·V) — the embeddings, per layer the gates and the states, and the logits with
    /// their softmax (saturating at <see cref="long.MaxValue"/>; for <see cref="Training.MemoryBudget"/>).
    /// </summary>
    public long ActivationValues(int batchSize, int bptt)
    {
        double perStep = EmbeddingSize + (double)NumLayers * (Gates + 3) * HiddenSize + 2.0 * VocabularySize;
        return Checks.Saturate(2.0 * batchSize * bptt * perStep);
    }

    /// <summary>The config as JSON (the <c>model_config</c> of a checkpoint).</summary>
    public JsonObject ToJson() => new()
    {
        ["type"] = "recurrent_lm",
        ["vocab_size"] = VocabularySize,
        ["embedding_size"] = EmbeddingSize,
        ["hidden_size"] = HiddenSize,
        ["num_layers"] = NumLayers,
        ["cell"] = Cell.ToString().ToLowerInvariant(),
        ["dropout"] = Dropout,
        ["tie_weights"] = TieWeights,
        ["init_range"] = InitRange,
    };

    /// <summary>Reads <see cref="ToJson"/>'s output; a missing or ill-typed field is a <see cref="FormatException"/> naming it.</summary>
    public static LanguageModelConfig FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string type = Get<string>(json, "type");
        if (type != "recurrent_lm") throw new FormatException($"model config: type '{type}' is not 'recurrent_lm' (a language model written by 'seqlearn train'): this checkpoint holds another kind of model.");
        string cell = Get<string>(json, "cell");
        // Names only: Enum.TryParse also accepts numbers ("0" would read as lstm).
        if (cell.Length == 0 || !char.IsAsciiLetter(cell[0]) || !Enum.TryParse<RecurrentCell>(cell, ignoreCase: true, out var c) || !Enum.IsDefined(c))
            throw new FormatException($"model config: unknown cell '{cell}' (expected lstm, gru, rnn or rnnrelu).");
        var config = new LanguageModelConfig(Get<int>(json, "vocab_size"), Get<int>(json, "embedding_size"), Get<int>(json, "hidden_size"),
            Get<int>(json, "num_layers"), c, Get<double>(json, "dropout"), Get<bool>(json, "tie_weights"),
            json["init_range"] is null ? null : Get<double>(json, "init_range"));
        try { config.Validate(); }
        catch (ArgumentException e) { throw new FormatException("model config: " + e.Message, e); }
        return config;
    }

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw new FormatException($"model config: field '{key}' is missing or not a {typeof(TValue).Name.ToLower(CultureInfo.InvariantCulture)}.");
        return value;
    }
}
