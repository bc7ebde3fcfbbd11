using System.Security.Cryptography;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Saves and loads a training checkpoint as a directory of two files:
/// <list type="bullet">
/// <item><c>weights.safetensors</c>: every parameter under its name, and the optimizer buffers as
/// <c>optim.{param}.{slot}</c> (slots <c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>);</item>
/// <item><c>checkpoint.json</c>: format and version, dtype, step, parameter order, the optimizer's kind,
/// learning rate and per-parameter step counts, RNG states, the caller's model config, vocabulary and trainer
/// state, and the
/// size and SHA-256 of the weights file.</item>
/// </list>
/// The directory is written atomically (<see cref="AtomicFile.WriteDirectory"/>). Loading validates both files and
/// reports any corruption as a <see cref="CheckpointFormatException"/>. See docs/checkpoints.md.
/// </summary>
public static class Checkpoint
{
    /// <summary>The file name of the weights inside a checkpoint directory.</summary>
    public const string WeightsFileName = "weights.safetensors";

    /// <summary>The file name of the JSON metadata inside a checkpoint directory.</summary>
    public const string ManifestFileName = "checkpoint.json";

    /// <summary>The format version written by this build (and the only one it reads).</summary>
    public const int FormatVersion = 1;

    /// <summary>The prefix of optimizer tensors in the weights file.</summary>
    public const string OptimizerPrefix = "optim.";

    /// <summary>Writes <paramref name="data"/> to <paramref name="directory"/> atomically (replacing an existing checkpoint there).</summary>
    public static void Save<T>(string directory, CheckpointData<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(data);
        CheckNames(data);
        var tensors = new List<SafeTensor>();
        foreach (var p in data.Parameters) tensors.Add(SafeTensor.FromTensor(p.Name, p.Tensor));
        if (data.Optimizer is { } opt)
            for (int i = 0; i < opt.Parameters.Count; i++)
                foreach (var (slot, buffer) in opt.Parameters[i].Buffers())
                    tensors.Add(SafeTensor.FromTensor(OptimizerTensorName(data.Parameters[i].Name, slot), buffer));
        byte[] weights = SafeTensorsWriter.Serialize(tensors, new Dictionary<string, string>
        {
            ["format"] = CheckpointManifest.FormatName,
            ["format_version"] = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        byte[] manifest = CheckpointManifest.Write(data, weights.LongLength, Convert.ToHexStringLower(SHA256.HashData(weights)));
        AtomicFile.WriteDirectory(directory, tmp =>
        {
            AtomicFile.WriteFlushed(Path.Combine(tmp, WeightsFileName), weights);
            AtomicFile.WriteFlushed(Path.Combine(tmp, ManifestFileName), manifest);
        });
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save{T}"/> with the same element type. Throws
    /// <see cref="DirectoryNotFoundException"/> when the directory is missing and <see cref="CheckpointFormatException"/>
    /// for anything wrong inside it (missing file, corrupt or truncated bytes, other format version or dtype).
    /// </summary>
    public static CheckpointData<T> Load<T>(string directory) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Checkpoint.Load: no checkpoint directory at {directory}.");
        string manifestPath = Path.Combine(directory, ManifestFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        var manifest = CheckpointManifest.Read(ReadBytes(manifestPath, maxBytes: 1L << 30), manifestPath);
        if (manifest.DType != SafeTensor.DTypeOf<T>())
            throw new CheckpointFormatException(manifestPath, null, $"the checkpoint stores {manifest.DType} tensors; it cannot be loaded as {typeof(T).Name}.");

        byte[] bytes = ReadBytes(weightsPath, maxBytes: Array.MaxLength);
        var weights = SafeTensorsFile.Parse(bytes, weightsPath);
        if (bytes.LongLength != manifest.WeightsBytes)
            throw new CheckpointFormatException(weightsPath, null, $"the file is {bytes.LongLength} bytes; {ManifestFileName} records {manifest.WeightsBytes}.");
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != manifest.WeightsSha256)
            throw new CheckpointFormatException(weightsPath, null, $"SHA-256 {sha} does not match {manifest.WeightsSha256} recorded in {ManifestFileName} (the data bytes are corrupted).");

        var used = new HashSet<string>(StringComparer.Ordinal);
        SafeTensor Take(string name)
        {
            var t = weights.Find(name) ?? throw new CheckpointFormatException(weightsPath, null, $"tensor '{name}', listed in {ManifestFileName}, is missing.");
            if (t.DType != manifest.DType) throw new CheckpointFormatException(weightsPath, null, $"tensor '{name}' is {t.DType}; expected {manifest.DType}.");
            used.Add(name);
            return t;
        }

        var parameters = manifest.ParameterNames.Select(n => new NamedTensor<T>(n, Take(n).ToTensor<T>())).ToArray();
        OptimizerState<T>? optimizer = null;
        if (manifest.Optimizer is { } o)
        {
            var states = new ParameterState<T>[parameters.Length];
            for (int i = 0; i < states.Length; i++)
            {
                string name = parameters[i].Name;
                Tensor<T>? Slot(string slot) =>
                    weights.Find(OptimizerTensorName(name, slot)) is null ? null : Take(OptimizerTensorName(name, slot)).ToTensor<T>().Reshape(parameters[i].Tensor.ShapeArray());
                states[i] = new ParameterState<T>(o.Steps[i], Slot(ParameterState<T>.MomentumBufferSlot), Slot(ParameterState<T>.ExpAvgSlot), Slot(ParameterState<T>.ExpAvgSqSlot));
            }
            optimizer = new OptimizerState<T>(o.Kind, o.LearningRate, states);
        }
        var unused = weights.Tensors.Select(t => t.Name).Where(n => !used.Contains(n)).ToArray();
        if (unused.Length > 0)
            throw new CheckpointFormatException(weightsPath, null, $"tensors not described by {ManifestFileName}: {string.Join(", ", unused)}.");

        return new CheckpointData<T>
        {
            Parameters = parameters,
            Optimizer = optimizer,
            Step = manifest.Step,
            ModelConfig = manifest.ModelConfig,
            Vocabulary = manifest.Vocabulary,
            TrainerState = manifest.TrainerState,
            RngStates = manifest.RngStates,
        };
    }

    /// <summary>The weights-file name of an optimizer buffer: <c>optim.{param}.{slot}</c>.</summary>
    public static string OptimizerTensorName(string parameter, string slot) => $"{OptimizerPrefix}{parameter}.{slot}";

    private static void CheckNames<T>(CheckpointData<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in data.Parameters)
        {
            if (string.IsNullOrEmpty(p.Name)) throw new ArgumentException("Checkpoint.Save: a parameter has an empty name.");
            if (p.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || p.Name == SafeTensorsFile.MetadataKey)
                throw new ArgumentException($"Checkpoint.Save: parameter name '{p.Name}' is reserved (names starting with '{OptimizerPrefix}' hold optimizer state).");
            if (!names.Add(p.Name)) throw new ArgumentException($"Checkpoint.Save: two parameters are named '{p.Name}'.");
            ArgumentNullException.ThrowIfNull(p.Tensor);
        }
        if (data.Optimizer is { } o && o.Parameters.Count != data.Parameters.Count)
            throw new ArgumentException($"Checkpoint.Save: the optimizer state has {o.Parameters.Count} parameters, the checkpoint {data.Parameters.Count}.");
    }

    private static byte[] ReadBytes(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new CheckpointFormatException(path, null, $"missing: a checkpoint directory holds {ManifestFileName} and {WeightsFileName}.");
        if (info.Length > maxBytes)
            throw new CheckpointFormatException(path, null, $"the file is {info.Length} bytes, above the {maxBytes}-byte limit.");
        return File.ReadAllBytes(path);
    }
}
