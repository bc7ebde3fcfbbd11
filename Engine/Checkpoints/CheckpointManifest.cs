using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using static SeqLearn.Checkpoints.JsonFields;

namespace SeqLearn.Checkpoints;

/// <summary>
/// The contents of <c>checkpoint.json</c> and its strict (de)serialisation. Layout (format version 2):
/// <code>
/// { "format": "seqlearn.checkpoint", "format_version": 2, "dtype": "F32", "step": 1200,
///   "weights": { "file": "weights.safetensors", "bytes": 123456, "sha256": "…" },
///   "parameters": ["embedding.weight", …],
///   "optimizer": { "kind": "Adam", "learning_rate": 0.001,
///                  "hyperparameters": { "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0 },  (optional)
///                  "steps": [1200, …], "file": "optimizer.safetensors", "bytes": 2345, "sha256": "…" },  (optional)
///   "rng": { "dropout": { "s0": "…", "s1": "…", "s2": "…", "s3": "…", "spare_normal": null } },
///   "model_config": { … },  "vocabulary": …,  "trainer_state": { … },               (optional, caller's JSON)
///   "manifest_sha256": "…" }                                                          (see ManifestSeal)
/// </code>
/// Version 1 has no optimizer file (its buffers sit in the weights file) and no <c>manifest_sha256</c>; it is still read.
/// RNG words are decimal strings (JSON numbers lose precision above 2^53 in many readers).
/// </summary>
internal sealed record CheckpointManifest(
    int Version, SafeTensorDType DType, long Step, CheckpointManifest.StoredFile Weights, string[] ParameterNames,
    CheckpointManifest.OptimizerInfo? Optimizer, Dictionary<string, RngState> RngStates, JsonObject? ModelConfig, JsonNode? Vocabulary,
    JsonObject? TrainerState)
{
    public const string FormatName = "seqlearn.checkpoint";

    /// <summary>The optimizer's scalars; <paramref name="File"/> is the optimizer file (null in version 1).</summary>
    public sealed record OptimizerInfo(OptimizerKind Kind, double LearningRate, long[] Steps, StoredFile? File, IReadOnlyDictionary<string, double>? Hyperparameters = null);

    /// <summary>The size and SHA-256 a manifest records for one of the directory's safetensors files.</summary>
    public sealed record StoredFile(long Bytes, string Sha256);

    /// <summary>The sealed manifest of <paramref name="data"/> (<see cref="ManifestSeal"/>).</summary>
    public static byte[] Write<T>(CheckpointData<T> data, StoredFile weights, StoredFile? optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("format_version", Checkpoint.FormatVersion);
            w.WriteString("dtype", SafeTensor.DTypeOf<T>().ToString());
            w.WriteNumber("step", data.Step);
            w.WriteStartObject("weights");
            w.WriteString("file", Checkpoint.WeightsFileName);
            w.WriteNumber("bytes", weights.Bytes);
            w.WriteString("sha256", weights.Sha256);
            w.WriteEndObject();
            w.WriteStartArray("parameters");
            foreach (var p in data.Parameters) w.WriteStringValue(p.Name);
            w.WriteEndArray();
            if (data.Optimizer is { } o)
            {
                w.WriteStartObject("optimizer");
                w.WriteString("kind", o.Kind.ToString());
                w.WriteNumber("learning_rate", o.LearningRate);
                if (o.Hyperparameters is { } hp)
                {
                    w.WriteStartObject("hyperparameters");
                    foreach (var (name, value) in hp.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(name, value);
                    w.WriteEndObject();
                }
                w.WriteStartArray("steps");
                foreach (var s in o.Parameters) w.WriteNumberValue(s.Step);
                w.WriteEndArray();
                w.WriteString("file", Checkpoint.OptimizerFileName);
                w.WriteNumber("bytes", optimizer!.Bytes);
                w.WriteString("sha256", optimizer.Sha256);
                w.WriteEndObject();
            }
            w.WriteStartObject("rng");
            foreach (var (name, s) in data.RngStates.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(name);
                w.WriteString("s0", s.S0.ToString(CultureInfo.InvariantCulture));
                w.WriteString("s1", s.S1.ToString(CultureInfo.InvariantCulture));
                w.WriteString("s2", s.S2.ToString(CultureInfo.InvariantCulture));
                w.WriteString("s3", s.S3.ToString(CultureInfo.InvariantCulture));
                if (s.SpareNormal is double z) w.WriteNumber("spare_normal", z);
                else w.WriteNull("spare_normal");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (data.ModelConfig is not null) { w.WritePropertyName("model_config"); data.ModelConfig.WriteTo(w); }
            if (data.Vocabulary is not null) { w.WritePropertyName("vocabulary"); data.Vocabulary.WriteTo(w); }
            if (data.TrainerState is not null) { w.WritePropertyName("trainer_state"); data.TrainerState.WriteTo(w); }
            w.WriteString(ManifestSeal.Key, ManifestSeal.Placeholder);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return ManifestSeal.Seal(buffer.ToArray());
    }

    public static CheckpointManifest Read(byte[] bytes, string file)
    {
        if (JsonStructureCheck.FirstProblem(bytes, maxDepth: 256) is { } problem)
            throw new CheckpointFormatException(file, problem.Offset, problem.Problem);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(file, OffsetOf(bytes, e), $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine} of that line): {e.Message}", e);
        }
        try
        {
            return Interpret(root as JsonObject ?? throw Bad(file, "the top level must be a JSON object."), bytes, file);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException or JsonException)
        {
            // Wrong JSON kinds met by the typed accessors, or duplicate keys found when the tree is materialised.
            throw new CheckpointFormatException(file, null, $"unexpected content: {e.Message}", e);
        }
    }

    private static CheckpointManifest Interpret(JsonObject root, byte[] bytes, string file)
    {
        string format = Str(root, "format", file);
        if (format != FormatName) throw Bad(file, $"'format' is '{format}'; expected '{FormatName}'.");
        long version = Int(root, "format_version", file);
        if (version is < Checkpoint.OldestReadableFormatVersion or > Checkpoint.FormatVersion)
            throw Bad(file, $"format version {version} is not supported; this build reads versions {Checkpoint.OldestReadableFormatVersion} to {Checkpoint.FormatVersion}.");
        // The seal first: an edited manifest is reported as edited, not by whatever its edit broke further down.
        if (version >= 2) ManifestSeal.Verify(bytes, Str(root, ManifestSeal.Key, file), file);
        else if (root[ManifestSeal.Key] is not null) throw Bad(file, $"'{ManifestSeal.Key}' is not part of format version 1.");
        var dtype = Str(root, "dtype", file) switch
        {
            "F32" => SafeTensorDType.F32,
            "F64" => SafeTensorDType.F64,
            var d => throw Bad(file, $"'dtype' is '{d}'; expected F32 or F64."),
        };
        long step = Int(root, "step", file);
        var weights = Obj(root, "weights", file);
        if (Str(weights, "file", file) != Checkpoint.WeightsFileName) throw Bad(file, $"'weights.file' must be '{Checkpoint.WeightsFileName}'.");
        var weightsFile = FileOf(weights, file, "weights");
        var names = Arr(root, "parameters", file).Select((n, i) => n is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : throw Bad(file, $"'parameters[{i}]' must be a non-empty string.")).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) throw Bad(file, "'parameters' lists a name twice.");

        OptimizerInfo? optimizer = null;
        if (root["optimizer"] is not null)
        {
            var o = Obj(root, "optimizer", file);
            string kindName = Str(o, "kind", file);
            if (!Enum.TryParse<OptimizerKind>(kindName, ignoreCase: false, out var kind) || !Enum.IsDefined(kind) || kindName != kind.ToString())
                throw Bad(file, $"'optimizer.kind' is '{kindName}'; expected one of {string.Join(", ", Enum.GetNames<OptimizerKind>())}.");
            double lr = Num(o, "learning_rate", file);
            var steps = Arr(o, "steps", file).Select((s, i) => s is JsonValue v && v.TryGetValue(out long x) && x >= 0 ? x : throw Bad(file, $"'optimizer.steps[{i}]' must be a non-negative integer.")).ToArray();
            if (steps.Length != names.Length) throw Bad(file, $"'optimizer.steps' has {steps.Length} entries for {names.Length} parameters.");
            StoredFile? optimizerFile = null;
            if (version >= 2)
            {
                if (Str(o, "file", file) != Checkpoint.OptimizerFileName) throw Bad(file, $"'optimizer.file' must be '{Checkpoint.OptimizerFileName}'.");
                optimizerFile = FileOf(o, file, "optimizer");
            }
            Dictionary<string, double>? hyperparameters = null;
            if (o["hyperparameters"] is not null)
            {
                hyperparameters = new Dictionary<string, double>(StringComparer.Ordinal);
                var stored = Obj(o, "hyperparameters", file);
                foreach (var (name, node) in stored)
                    hyperparameters.Add(name, node is JsonValue v && v.TryGetValue(out double x) && double.IsFinite(x) ? x
                        : throw Bad(file, $"'optimizer.hyperparameters.{name}' must be a finite number."));
            }
            optimizer = new OptimizerInfo(kind, lr, steps, optimizerFile, hyperparameters);
        }

        var rng = new Dictionary<string, RngState>(StringComparer.Ordinal);
        foreach (var (name, node) in Obj(root, "rng", file))
        {
            var s = node as JsonObject ?? throw Bad(file, $"'rng.{name}' must be an object.");
            ulong Word(string key) => ulong.TryParse(Str(s, key, file), NumberStyles.None, CultureInfo.InvariantCulture, out ulong x) ? x : throw Bad(file, $"'rng.{name}.{key}' must be a decimal unsigned 64-bit integer string.");
            double? spare = s["spare_normal"] is null ? null : Num(s, "spare_normal", file);
            var state = new RngState(Word("s0"), Word("s1"), Word("s2"), Word("s3"), spare);
            if ((state.S0 | state.S1 | state.S2 | state.S3) == 0) throw Bad(file, $"'rng.{name}' is the all-zero state, which is invalid.");
            rng.Add(name, state);
        }

        JsonObject? config = root["model_config"] is null ? null : (JsonObject)Obj(root, "model_config", file).DeepClone();
        JsonNode? vocabulary = root["vocabulary"]?.DeepClone();
        JsonObject? trainer = root["trainer_state"] is null ? null : (JsonObject)Obj(root, "trainer_state", file).DeepClone();
        if (step < 0) throw Bad(file, "'step' must be non-negative.");
        return new CheckpointManifest((int)version, dtype, step, weightsFile, names, optimizer, rng, config, vocabulary, trainer);
    }

    private static StoredFile FileOf(JsonObject o, string file, string owner)
    {
        long bytes = Int(o, "bytes", file);
        string sha = Str(o, "sha256", file);
        if (bytes < 0) throw Bad(file, $"'{owner}.bytes' must be non-negative.");
        return new StoredFile(bytes, sha);
    }

    private static CheckpointFormatException Bad(string file, string problem) => new(file, null, problem);
}
