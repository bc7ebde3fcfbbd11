using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Models;

/// <summary>A language model read back from a checkpoint, with its vocabulary and the raw checkpoint.</summary>
/// <param name="Model">The model, built from the stored config with the stored weights (in training mode, as built).</param>
/// <param name="Vocabulary">A <see cref="CharVocabulary"/> or a <see cref="WordVocabulary"/>.</param>
/// <param name="Data">Everything else the checkpoint holds (step, optimizer, RNG and trainer state).</param>
public sealed record LoadedLanguageModel(LanguageModel<float> Model, IVocabulary Vocabulary, CheckpointData<float> Data);

/// <summary>
/// The checkpoint convention shared by the trainer and by <c>seqlearn eval|generate</c>: a
/// <see cref="Checkpoint"/> directory whose <c>model_config</c> is <see cref="LanguageModelConfig.ToJson"/>, whose
/// <c>vocabulary</c> is <see cref="VocabularyJson"/>'s object (<c>{"kind": "char" | "word", …}</c>) and whose
/// parameters are the model's <see cref="Nn.Module{T}.NamedParameters"/> under their dotted names (float32), in that order
/// (an optimizer state is index-aligned with <see cref="Nn.Module{T}.Parameters"/>).
/// </summary>
public static class LanguageModelCheckpoint
{
    /// <summary>Writes <paramref name="model"/> and <paramref name="vocabulary"/> (plus optional training state) to <paramref name="directory"/> atomically.</summary>
    public static void Save(string directory, LanguageModel<float> model, IVocabulary vocabulary, long step = 0,
        OptimizerState<float>? optimizer = null, JsonObject? trainerState = null, IReadOnlyDictionary<string, RngState>? rngStates = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count != model.VocabularySize)
            throw new ArgumentException($"LanguageModelCheckpoint.Save: the vocabulary has {vocabulary.Count} symbols, the model V = {model.VocabularySize}.", nameof(vocabulary));
        Checkpoint.Save(directory, new CheckpointData<float>
        {
            Parameters = model.NamedParameters().Select(p => new NamedTensor<float>(p.Key, p.Value.Value.Clone())).ToArray(),
            Optimizer = optimizer,
            Step = step,
            ModelConfig = model.Config.ToJson(),
            Vocabulary = VocabularyToJson(vocabulary),
            TrainerState = trainerState,
            RngStates = rngStates ?? new Dictionary<string, RngState>(),
        });
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/> (or by any writer following the convention). A missing
    /// directory is a <see cref="DirectoryNotFoundException"/>; anything wrong inside it — corrupt files, no or an
    /// invalid model config or vocabulary, weights that do not fit the config — is a
    /// <see cref="CheckpointFormatException"/> that says what.
    /// </summary>
    /// <remarks>
    /// <paramref name="directory"/> may also be a training run's folder holding <c>best/</c> and <c>last/</c>
    /// checkpoints (as the trainer writes them): <c>best</c> is loaded when present, else <c>last</c>.
    /// </remarks>
    public static LoadedLanguageModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Checkpoint.Exists(directory))
            foreach (string sub in new[] { "best", "last" })
                if (Checkpoint.Exists(Path.Combine(directory, sub)))
                {
                    directory = Path.Combine(directory, sub);
                    break;
                }
        var data = Checkpoint.Load<float>(directory);
        string manifest = Path.Combine(directory, Checkpoint.ManifestFileName);
        CheckpointFormatException Bad(string problem, Exception? inner = null) => new(manifest, null, problem, inner);

        var configJson = data.ModelConfig ?? throw Bad("no model_config: this is not a language-model checkpoint.");
        if (configJson["type"] is JsonValue typeValue && typeValue.TryGetValue(out string? type) && type != "recurrent_lm")
            throw Bad($"the checkpoint holds a '{type}' model, not a language model ('recurrent_lm', written by 'seqlearn train')"
                      + (type == "seq2seq" ? ": a translation model, which 'seqlearn translate --checkpoint' reads." : "."));
        LanguageModelConfig config;
        try { config = LanguageModelConfig.FromJson(configJson); }
        catch (FormatException e) { throw Bad(e.Message, e); }

        const string NoVocabulary = "no vocabulary: write language-model checkpoints with LanguageModelCheckpoint.Save(directory, model, vocabulary), " +
                                    "ModelCheckpoint.Save(directory, model, LanguageModelCheckpoint.VocabularyToJson(vocabulary)), or a " +
                                    "LanguageModelTrainer given the vocabulary.";
        IVocabulary vocabulary;
        try { vocabulary = VocabularyFromJson(data.Vocabulary ?? throw Bad(NoVocabulary)); }
        catch (Exception e) when (e is TextFormatException or ArgumentException) { throw Bad(e.Message, e); }
        if (vocabulary.Count != config.VocabularySize)
            throw Bad($"the vocabulary has {vocabulary.Count} symbols but model_config says vocab_size {config.VocabularySize}.");

        // Shapes and values are checked before the model is built: a config claiming a huge model fails here, at once.
        var tensors = new Dictionary<string, Tensor<float>>(StringComparer.Ordinal);
        foreach (var p in data.Parameters) tensors[p.Name] = p.Tensor;
        if (CheckpointTensorCheck.LanguageModelMismatch(config, tensors) is { } mismatch) throw Bad($"the weights do not fit model_config: {mismatch}");
        if (CheckpointTensorCheck.FirstNonFinite(tensors) is { } nonFinite) throw Bad(nonFinite);

        var model = new LanguageModel<float>(config, new SeededRng(0));
        try { model.LoadStateDict(tensors); }
        catch (ArgumentException e) { throw Bad($"the weights do not fit model_config: {e.Message}", e); }
        return new LoadedLanguageModel(model, vocabulary, data);
    }

    /// <summary>The vocabulary as the JSON object a checkpoint stores (<see cref="VocabularyJson"/>).</summary>
    public static JsonNode VocabularyToJson(IVocabulary vocabulary) => vocabulary switch
    {
        CharVocabulary c => JsonNode.Parse(VocabularyJson.ToJson(c))!,
        WordVocabulary w => JsonNode.Parse(VocabularyJson.ToJson(w))!,
        null => throw new ArgumentNullException(nameof(vocabulary)),
        _ => throw new ArgumentException($"LanguageModelCheckpoint: cannot store a {Checks.TypeName(vocabulary.GetType())}; expected a CharVocabulary or WordVocabulary.", nameof(vocabulary)),
    };

    /// <summary>Reads <see cref="VocabularyToJson"/>'s output; an unknown kind is a <see cref="TextFormatException"/>.</summary>
    public static IVocabulary VocabularyFromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string text = json.ToJsonString();
        string? kind = json is JsonObject o && o["kind"] is JsonValue v && v.TryGetValue(out string? k) ? k : null;
        return kind switch
        {
            "char" => VocabularyJson.CharFromJson(text),
            "word" => VocabularyJson.WordFromJson(text),
            _ => throw new TextFormatException($"vocabulary: kind '{kind}' is neither 'char' nor 'word'."),
        };
    }
}
