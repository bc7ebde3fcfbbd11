using System.Globalization;
using System.Text.Json.Nodes;
using SeqLearn.Nn;

namespace SeqLearn.Translation;

/// <summary>
/// The shape of a <see cref="Seq2Seq{T}"/> encoder–decoder: source embedding (V_src, E) → encoder RNN (L layers of H,
/// optionally bidirectional) → bridge → decoder embedding (V_tgt, E) → decoder RNN (L layers of H) with attention →
/// output projection (V_tgt, H).
/// </summary>
/// <param name="SourceVocabulary">V_src, the source token ids.</param>
/// <param name="TargetVocabulary">V_tgt, the target token ids.</param>
/// <param name="EmbeddingSize">E, both embeddings.</param>
/// <param name="HiddenSize">H, both RNNs (per direction in the encoder).</param>
/// <param name="NumLayers">L, both RNNs.</param>
/// <param name="Cell">GRU or LSTM, both RNNs.</param>
/// <param name="Bidirectional">A bidirectional encoder (memory width 2H).</param>
/// <param name="Attention">The attention of the decoder.</param>
/// <param name="InputFeeding">Luong only: feed h̃_{t−1} into the decoder RNN with the embedding (then one step at a time).</param>
/// <param name="AttentionSize">A, the width of Bahdanau's additive layer (default H).</param>
/// <param name="Dropout">Dropout on both embeddings, between stacked RNN layers and before the output projection.</param>
public sealed record Seq2SeqConfig(int SourceVocabulary, int TargetVocabulary, int EmbeddingSize = 64, int HiddenSize = 128, int NumLayers = 1,
    RecurrentCell Cell = RecurrentCell.Gru, bool Bidirectional = false, AttentionKind Attention = AttentionKind.Bahdanau, bool InputFeeding = false,
    int? AttentionSize = null, double Dropout = 0)
{
    /// <summary>D, the encoder's directions.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>M = D·H, the width of the encoder outputs (the attention memory).</summary>
    public int MemorySize => Directions * HiddenSize;

    /// <summary>G, the gates of the cell: 4 (LSTM), 3 (GRU).</summary>
    public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

    /// <summary>I, the decoder RNN's input width: E + H (no attention: the context is the top layer of the bridged state s₀), E + M (Bahdanau), E or E + H (Luong, with input feeding).</summary>
    public int DecoderInputSize => Attention switch
    {
        AttentionKind.None => EmbeddingSize + HiddenSize,
        AttentionKind.Bahdanau => EmbeddingSize + MemorySize,
        _ => InputFeeding ? EmbeddingSize + HiddenSize : EmbeddingSize,
    };

    /// <summary>
    /// P, the trainable values of the model built from this config, in closed form without building it (saturating at
    /// <see cref="long.MaxValue"/>). With r(i) = G·H·(i + H + 2) one recurrent direction over inputs of width i:
    /// <code>
    /// P = V_src·E + D·r(E) + (L − 1)·D·r(D·H)                  encoder
    ///   + (M·H + H)·(1 + [LSTM])                                bridge (and bridge_c)
    ///   + V_tgt·E + r(I) + (L − 1)·r(H)                         decoder RNN
    ///   + attention: Bahdanau (M + H + 1)·A; Luong (M + H)·H + [general] M·H
    ///   + H·V_tgt + V_tgt                                        output layer
    /// </code>
    /// </summary>
    public long ParameterCount()
    {
        double e = EmbeddingSize, h = HiddenSize, m = MemorySize, d = Directions, l = NumLayers, a = AttentionSize ?? HiddenSize;
        double R(double input) => (double)Gates * h * (input + h + 2);
        double encoder = (double)SourceVocabulary * e + d * R(e) + (l - 1) * d * R(d * h);
        double bridge = (m * h + h) * (Cell == RecurrentCell.Lstm ? 2 : 1);
        double decoder = (double)TargetVocabulary * e + R(DecoderInputSize) + (l - 1) * R(h);
        double attention = Attention switch
        {
            AttentionKind.None => 0,
            AttentionKind.Bahdanau => (m + h + 1) * a,
            _ => (m + h) * h + (Attention == AttentionKind.LuongGeneral ? m * h : 0),
        };
        double output = h * TargetVocabulary + (double)TargetVocabulary;
        return Training.MemoryBudget.Saturate(encoder + bridge + decoder + attention + output);
    }

    /// <summary>
    /// A, the activation values one training batch of B pairs (sources of S tokens, targets of U) keeps for the backward
    /// pass, with their gradients: 2·B·(S·(E + L·D·(G + 3)·H) + U·(E + I + L·(G + 3)·H + S·(A + 3) + 2·V_tgt)) — the
    /// encoder's embeddings, gates and states, the decoder's, the attention scores and (Bahdanau) the additive layer
    /// over every source position, and the logits with their softmax.
    /// </summary>
    public long ActivationValues(int batchSize, int sourceLength, int targetLength)
    {
        double e = EmbeddingSize, h = HiddenSize, d = Directions, l = NumLayers, g = Gates, s = sourceLength;
        double attention = Attention == AttentionKind.Bahdanau ? (AttentionSize ?? HiddenSize) : 0;
        double encoder = s * (e + l * d * (g + 3) * h);
        double decoder = targetLength * (e + DecoderInputSize + l * (g + 3) * h + s * (attention + 3) + 2.0 * TargetVocabulary);
        return Training.MemoryBudget.Saturate(2.0 * batchSize * (encoder + decoder));
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate() => Validate(paramName: null);

    /// <summary>As <see cref="Validate()"/>, the exception naming <paramref name="paramName"/>: the parameter of the caller that was given this config.</summary>
    internal void Validate(string? paramName)
    {
        if (SourceVocabulary < 1 || TargetVocabulary < 1)
            throw new ArgumentException($"Seq2SeqConfig: vocabularies must be ≥ 1, got {SourceVocabulary} and {TargetVocabulary}.", paramName);
        if (EmbeddingSize < 1) throw new ArgumentException($"Seq2SeqConfig: embedding size must be ≥ 1, got {EmbeddingSize}.", paramName);
        if (HiddenSize < 1) throw new ArgumentException($"Seq2SeqConfig: hidden size must be ≥ 1, got {HiddenSize}.", paramName);
        if (NumLayers < 1) throw new ArgumentException($"Seq2SeqConfig: layers must be ≥ 1, got {NumLayers}.", paramName);
        if (Cell is not (RecurrentCell.Gru or RecurrentCell.Lstm)) throw new ArgumentException($"Seq2SeqConfig: cell must be gru or lstm, got {Cell}.", paramName);
        if (!Enum.IsDefined(Attention)) throw new ArgumentException($"Seq2SeqConfig: unknown attention {Attention}.", paramName);
        if (InputFeeding && Attention is not (AttentionKind.LuongDot or AttentionKind.LuongGeneral))
            throw new ArgumentException($"Seq2SeqConfig: input feeding is a Luong option, not one of attention {Attention}.", paramName);
        if (Attention == AttentionKind.LuongDot && MemorySize != HiddenSize)
            throw new ArgumentException($"Seq2SeqConfig: the Luong dot score needs memory width {MemorySize} = hidden size {HiddenSize} (a unidirectional encoder); use general.", paramName);
        if (AttentionSize is < 1) throw new ArgumentException($"Seq2SeqConfig: attention size must be ≥ 1, got {AttentionSize}.", paramName);
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Seq2SeqConfig: dropout must be in [0, 1), got {Dropout}.", paramName);
    }

    /// <summary>The config as JSON (the <c>model_config</c> of a checkpoint), <c>"type": "seq2seq"</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["type"] = "seq2seq",
        ["source_vocab_size"] = SourceVocabulary,
        ["target_vocab_size"] = TargetVocabulary,
        ["embedding_size"] = EmbeddingSize,
        ["hidden_size"] = HiddenSize,
        ["num_layers"] = NumLayers,
        ["cell"] = Cell.ToString().ToLowerInvariant(),
        ["bidirectional"] = Bidirectional,
        ["attention"] = AttentionName(Attention),
        ["input_feeding"] = InputFeeding,
        ["attention_size"] = AttentionSize,
        ["dropout"] = Dropout,
    };

    /// <summary>Reads <see cref="ToJson"/>'s output; a missing or ill-typed field is a <see cref="FormatException"/> naming it.</summary>
    public static Seq2SeqConfig FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string type = Get<string>(json, "type");
        if (type != "seq2seq") throw new FormatException($"model config: type '{type}' is not 'seq2seq'.");
        string cell = Get<string>(json, "cell");
        var c = cell switch
        {
            "gru" => RecurrentCell.Gru,
            "lstm" => RecurrentCell.Lstm,
            _ => throw new FormatException($"model config: unknown cell '{cell}' (expected gru or lstm)."),
        };
        string attention = Get<string>(json, "attention");
        var a = Enum.GetValues<AttentionKind>().Where(k => AttentionName(k) == attention).Cast<AttentionKind?>().FirstOrDefault()
            ?? throw new FormatException($"model config: unknown attention '{attention}' (expected none, bahdanau, luong_dot or luong_general).");
        var config = new Seq2SeqConfig(Get<int>(json, "source_vocab_size"), Get<int>(json, "target_vocab_size"), Get<int>(json, "embedding_size"),
            Get<int>(json, "hidden_size"), Get<int>(json, "num_layers"), c, Get<bool>(json, "bidirectional"), a, Get<bool>(json, "input_feeding"),
            json["attention_size"] is null ? null : Get<int>(json, "attention_size"), Get<double>(json, "dropout"));
        try { config.Validate(); }
        catch (ArgumentException e) { throw new FormatException("model config: " + e.Message, e); }
        return config;
    }

    /// <summary>The JSON name of an attention kind: none, bahdanau, luong_dot, luong_general.</summary>
    public static string AttentionName(AttentionKind kind) => kind switch
    {
        AttentionKind.None => "none",
        AttentionKind.Bahdanau => "bahdanau",
        AttentionKind.LuongDot => "luong_dot",
        AttentionKind.LuongGeneral => "luong_general",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"Seq2SeqConfig: unknown attention {kind}."),
    };

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw new FormatException($"model config: field '{key}' is missing or not a {typeof(TValue).Name.ToLower(CultureInfo.InvariantCulture)}.");
        return value;
    }
}
