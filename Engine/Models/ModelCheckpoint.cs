using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Models;

/// <summary>A model read back from a checkpoint, with everything else the checkpoint holds.</summary>
/// <param name="Model">The model, built from the stored config with the stored weights.</param>
/// <param name="Data">The raw checkpoint (step, vocabulary, optimizer, trainer state).</param>
public sealed record LoadedModel<T>(Module<T> Model, CheckpointData<T> Data) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Saves and loads a model of any kind in one call each: the config (whose <c>type</c> names the kind) and the weights
/// under their full dotted PyTorch-style names, in a <see cref="Checkpoint"/> directory. The kinds:
/// <list type="bullet">
/// <item><c>recurrent_lm</c>: a <see cref="LanguageModel{T}"/> (<see cref="LanguageModelConfig"/>);</item>
/// <item><c>sequential</c>: a <see cref="Sequential{T}"/> of layers described by <see cref="LayerConfig"/>;</item>
/// <item><c>seq2seq</c>: a <see cref="Translation.Seq2Seq{T}"/> (<see cref="Translation.Seq2SeqConfig"/>).</item>
/// </list>
/// The loader picks the kind from the config, compares the config with the stored tensors
/// (<see cref="CheckpointTensorCheck"/>), builds the model, and copies the weights in by name; a missing, extra or
/// differently shaped tensor is a <see cref="CheckpointFormatException"/> naming it. docs/checkpoints.md has the fields.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The config of <paramref name="model"/> (a kind this class can rebuild).</summary>
    public static JsonObject ConfigOf<T>(Module<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            LanguageModel<T> lm => lm.Config.ToJson(),
            Sequential<T> s => LayerConfig.ToJson(s),
            Translation.Seq2Seq<T> s2s => s2s.Config.ToJson(),
            _ => throw new NotSupportedException($"ModelCheckpoint: {Checks.TypeName(model.GetType())} has no stored config; save its StateDict with SafeTensorsWriter instead."),
        };
    }

    /// <summary>Builds the model <paramref name="config"/> describes, with initial weights from <paramref name="rng"/>.</summary>
    /// <exception cref="FormatException">An unknown kind or an invalid field, named.</exception>
    public static Module<T> Create<T>(JsonObject config, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        string? type = config["type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        return type switch
        {
            "recurrent_lm" => new LanguageModel<T>(LanguageModelConfig.FromJson(config), rng),
            "sequential" => LayerConfig.FromJson<T>(config, rng),
            "seq2seq" => new Translation.Seq2Seq<T>(Translation.Seq2SeqConfig.FromJson(config), rng),
            null => throw new FormatException("model config: field 'type' is missing or not a string."),
            _ => throw new FormatException($"model config: unknown model type '{type}' (known: recurrent_lm, sequential, seq2seq)."),
        };
    }

    /// <summary>Writes <paramref name="model"/>'s config and weights to <paramref name="directory"/> atomically.</summary>
    public static void Save<T>(string directory, Module<T> model, JsonNode? vocabulary = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(model);
        Checkpoint.Save(directory, new CheckpointData<T>
        {
            Parameters = model.NamedParameters().Select(p => new NamedTensor<T>(p.Key, p.Value.Value.Clone())).ToArray(),
            ModelConfig = ConfigOf(model),
            Vocabulary = vocabulary?.DeepClone(),
        });
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save{T}"/> or by the trainer, builds its model and loads its weights.
    /// Corrupt files, a missing or unknown config and weights that do not fit it are a <see cref="CheckpointFormatException"/>.
    /// </summary>
    public static LoadedModel<T> Load<T>(string directory) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var data = Checkpoint.Load<T>(directory);
        string manifest = Path.Combine(directory, Checkpoint.ManifestFileName);
        var config = data.ModelConfig ?? throw new CheckpointFormatException(manifest, null, "the checkpoint has no model_config");
        string? mismatch;
        try
        {
            // Before the model is built: a config claiming a huge model fails here, without allocating it.
            mismatch = CheckpointTensorCheck.ModelMismatch(config, data.Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal));
            if (mismatch is null)
            {
                var model = Create<T>(config, new SeededRng(0));
                data.RestoreInto(model.NamedParameters().Select(p => new Autograd.Var<T>(p.Value.Value, requiresGrad: false, p.Key)).ToArray());
                return new LoadedModel<T>(model, data);
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CheckpointFormatException(manifest, null, (e is ArgumentException a ? Checks.MessageWithoutParameter(a) : e.Message).TrimEnd('.'), e);
        }
        throw new CheckpointFormatException(manifest, null, $"the weights do not fit model_config: {mismatch.TrimEnd('.')}");
    }
}
