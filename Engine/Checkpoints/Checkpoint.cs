using System.Security.Cryptography;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Saves and loads a training checkpoint as a directory of files:
/// <list type="bullet">
/// <item><c>weights.safetensors</c>: every parameter under its name, nothing else (it loads into the matching PyTorch
/// module with <c>load_state_dict(strict=True)</c>);</item>
/// <item><c>optimizer.safetensors</c> (when there is an optimizer state): the optimizer buffers as
/// <c>optim.{param}.{slot}</c> (slots <c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>);</item>
/// <item><c>checkpoint.json</c>: format and version, dtype, step, parameter order, the optimizer's kind,
/// learning rate and per-parameter step counts, RNG states, the caller's model config, vocabulary and trainer
/// state, the size and SHA-256 of each safetensors file, and its own SHA-256 (<see cref="ManifestSeal"/>).</item>
/// </list>
/// The directory is written atomically (<see cref="AtomicFile.WriteDirectory"/>). Loading validates every file and
/// reports any corruption as a <see cref="CheckpointFormatException"/>; format version 1 (optimizer buffers inside the
/// weights file, no manifest checksum) is still read. See docs/checkpoints.md.
/// </summary>
public static class Checkpoint
{
    /// <summary>The file name of the weights inside a checkpoint directory.</summary>
    public const string WeightsFileName = "weights.safetensors";

    /// <summary>The file name of the optimizer buffers inside a checkpoint directory (format version 2 on).</summary>
    public const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>The file name of the JSON metadata inside a checkpoint directory.</summary>
    public const string ManifestFileName = "checkpoint.json";

    /// <summary>The format version written by this build.</summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest format version this build reads.</summary>
    public const int OldestReadableFormatVersion = 1;

    /// <summary>
    /// The largest <c>checkpoint.json</c> accepted (32 MiB). Its content is small fields plus the caller's vocabulary:
    /// a word vocabulary of a million entries of 20 bytes fits; parsing a manifest costs about 20 times its size in memory.
    /// </summary>
    public const long MaxManifestBytes = 32L << 20;

    /// <summary>The prefix of optimizer tensors (in the optimizer file; in the weights file in format version 1).</summary>
    public const string OptimizerPrefix = "optim.";

    /// <summary>
    /// Writes <paramref name="data"/> to <paramref name="directory"/> atomically (replacing an existing checkpoint there).
    /// Parameters (or optimizer state) whose file would exceed <see cref="Array.MaxLength"/> bytes are an
    /// <see cref="IOException"/> naming the directory, the file and the sizes; nothing is written then.
    /// </summary>
    public static void Save<T>(string directory, CheckpointData<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SaveBounded(directory, data, Array.MaxLength);

    // Save with the largest file image as a parameter: both files are measured from the tensors' shapes before any tensor
    // is copied, so tensors too large for one file are refused without allocating their bytes.
    internal static void SaveBounded<T>(string directory, CheckpointData<T> data, long maxFileBytes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(data);
        CheckData(data);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = CheckpointManifest.FormatName,
            ["format_version"] = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        InFile(directory, WeightsFileName, () => SafeTensorsWriter.EnsureFits(data.Parameters.Select(p => SafeTensorsWriter.TensorLayout.Of(p.Name, p.Tensor)), metadata, maxFileBytes));
        if (data.Optimizer is { } measured)
            InFile(directory, OptimizerFileName, () => SafeTensorsWriter.EnsureFits(
                measured.Parameters.SelectMany((state, i) => state.Buffers().Select(b => SafeTensorsWriter.TensorLayout.Of(OptimizerTensorName(data.Parameters[i].Name, b.Slot), b.Buffer))),
                metadata, maxFileBytes));
        byte[] weights = SerializeFile(directory, WeightsFileName, data.Parameters.Select(p => SafeTensor.FromTensor(p.Name, p.Tensor)).ToList(), metadata);
        byte[]? optimizer = null;
        if (data.Optimizer is { } opt)
        {
            var buffers = new List<SafeTensor>();
            for (int i = 0; i < opt.Parameters.Count; i++)
                foreach (var (slot, buffer) in opt.Parameters[i].Buffers())
                    buffers.Add(SafeTensor.FromTensor(OptimizerTensorName(data.Parameters[i].Name, slot), buffer));
            optimizer = SerializeFile(directory, OptimizerFileName, buffers, metadata);
        }
        byte[] manifest = CheckpointManifest.Write(data, Describe(weights), optimizer is null ? null : Describe(optimizer));
        AtomicFile.WriteDirectory(directory, tmp =>
        {
            AtomicFile.WriteFlushed(Path.Combine(tmp, WeightsFileName), weights);
            if (optimizer is not null) AtomicFile.WriteFlushed(Path.Combine(tmp, OptimizerFileName), optimizer);
            AtomicFile.WriteFlushed(Path.Combine(tmp, ManifestFileName), manifest);
        });
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save{T}"/> with the same element type. Throws
    /// <see cref="DirectoryNotFoundException"/> when the directory is missing and <see cref="CheckpointFormatException"/>
    /// for anything wrong inside it (missing file, corrupt, truncated or edited bytes, other format version or dtype).
    /// </summary>
    /// <remarks>
    /// When <paramref name="directory"/> is missing because a writer was stopped between its renames
    /// (<see cref="AtomicFile.WriteDirectory"/>), the complete copy that the rename sequence left is read instead:
    /// <c>{directory}.tmp</c> (the new content) when it is valid, else <c>{directory}.old</c> (the previous content).
    /// Nothing is renamed or deleted here; <see cref="CheckpointRecovery.Recover"/> does that for the owner of the directory.
    /// </remarks>
    public static CheckpointData<T> Load<T>(string directory) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (Directory.Exists(directory)) return LoadExisting<T>(directory);
        if (AtomicFile.ReadLeftCopy(directory, ManifestFileName, LoadExisting<T>) is { } left) return left;
        throw new DirectoryNotFoundException(File.Exists(directory)
            ? $"{directory} is a file, not a checkpoint directory (one that holds {ManifestFileName})."
            : $"no checkpoint directory at {directory}.");
    }

    /// <summary>
    /// True when <paramref name="directory"/> holds a checkpoint manifest, or a stopped rename sequence left one in
    /// <c>{directory}.tmp</c> or <c>{directory}.old</c> (which <see cref="Load{T}"/> reads).
    /// </summary>
    public static bool Exists(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(directory);
        return File.Exists(Path.Combine(full, ManifestFileName))
               || (!Directory.Exists(full) && (File.Exists(Path.Combine(full + AtomicFile.TmpSuffix, ManifestFileName))
                                               || File.Exists(Path.Combine(full + AtomicFile.OldSuffix, ManifestFileName))));
    }

    /// <summary>
    /// Throws the <see cref="IOException"/> that saving to <paramref name="directory"/> would throw, before any work is
    /// done (a command checks its output directory before it trains): a save replaces the whole directory, so it is
    /// refused when a file is there, or when the directory (or a leftover <c>{directory}.tmp</c> or <c>.old</c>) holds
    /// anything other than checkpoint files, and a root directory (an <see cref="ArgumentException"/>) is refused too. A
    /// missing or empty directory, or one that holds a checkpoint, passes.
    /// </summary>
    public static void EnsureWritable(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        AtomicFile.EnsureWritable(directory);
    }

    /// <summary>Checks every file of the checkpoint in <paramref name="directory"/> (manifest seal, sizes, SHA-256s, tensor layout) without building tensors.</summary>
    internal static void Verify(string directory)
    {
        string manifestPath = Path.Combine(directory, ManifestFileName);
        var manifest = CheckpointManifest.Read(ReadBytes(manifestPath, MaxManifestBytes), manifestPath);
        ReadVerified(Path.Combine(directory, WeightsFileName), manifest.Weights);
        if (manifest.Optimizer?.File is { } o) ReadVerified(Path.Combine(directory, OptimizerFileName), o);
    }

    private static CheckpointData<T> LoadExisting<T>(string directory) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string manifestPath = Path.Combine(directory, ManifestFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        var manifest = CheckpointManifest.Read(ReadBytes(manifestPath, MaxManifestBytes), manifestPath);
        if (manifest.DType != SafeTensor.DTypeOf<T>())
            throw new CheckpointFormatException(manifestPath, null, $"the checkpoint stores {manifest.DType} tensors; it cannot be loaded as {typeof(T).Name}.");

        var weights = ReadVerified(weightsPath, manifest.Weights);
        // Version 1 keeps the optimizer buffers in the weights file; version 2 in their own file.
        string optimizerPath = weightsPath;
        var buffers = weights;
        if (manifest.Optimizer?.File is { } stored)
        {
            optimizerPath = Path.Combine(directory, OptimizerFileName);
            buffers = ReadVerified(optimizerPath, stored);
        }
        else if (manifest.Version >= 2 && File.Exists(Path.Combine(directory, OptimizerFileName)))
            throw new CheckpointFormatException(Path.Combine(directory, OptimizerFileName), null, $"{ManifestFileName} records no optimizer, but the file is there.");

        var used = new HashSet<(SafeTensorsFile, string)>();
        SafeTensor Take(SafeTensorsFile file, string path, string name)
        {
            var t = file.Find(name) ?? throw new CheckpointFormatException(path, null, $"tensor '{name}', listed in {ManifestFileName}, is missing.");
            if (t.DType != manifest.DType) throw new CheckpointFormatException(path, null, $"tensor '{name}' is {t.DType}; expected {manifest.DType}.");
            used.Add((file, name));
            return t;
        }

        var parameters = manifest.ParameterNames.Select(n => new NamedTensor<T>(n, Take(weights, weightsPath, n).ToTensor<T>())).ToArray();
        OptimizerState<T>? optimizer = null;
        if (manifest.Optimizer is { } o)
        {
            var states = new ParameterState<T>[parameters.Length];
            for (int i = 0; i < states.Length; i++)
            {
                string name = parameters[i].Name;
                var shape = parameters[i].Tensor.ShapeArray();
                Tensor<T>? Slot(string slot)
                {
                    string key = OptimizerTensorName(name, slot);
                    if (buffers.Find(key) is null) return null;
                    var t = Take(buffers, optimizerPath, key);
                    var value = t.ToTensor<T>();
                    if (value.Length != parameters[i].Tensor.Length)
                        throw new CheckpointFormatException(optimizerPath, null, $"tensor '{key}' has {value.Length} values; its parameter '{name}' has {parameters[i].Tensor.Length}.");
                    return value.Reshape(shape);
                }
                states[i] = new ParameterState<T>(o.Steps[i], Slot(ParameterState<T>.MomentumBufferSlot), Slot(ParameterState<T>.ExpAvgSlot), Slot(ParameterState<T>.ExpAvgSqSlot));
            }
            optimizer = new OptimizerState<T>(o.Kind, o.LearningRate, states) { Hyperparameters = o.Hyperparameters };
        }
        foreach (var (file, path) in new[] { (weights, weightsPath), (buffers, optimizerPath) }.Distinct())
        {
            var unused = file.Tensors.Select(t => t.Name).Where(n => !used.Contains((file, n))).ToArray();
            if (unused.Length > 0)
                throw new CheckpointFormatException(path, null, $"tensors not described by {ManifestFileName}: {string.Join(", ", unused)}.");
        }

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

    // The image of one file of the checkpoint: the writer's refusal of its tensors (more than one file image holds) names
    // the checkpoint directory and the file, without the writer's name and parameter, which the caller never passed.
    internal static byte[] SerializeFile(string directory, string fileName, IReadOnlyCollection<SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        byte[] image = [];
        InFile(directory, fileName, () => image = SafeTensorsWriter.Serialize(tensors, metadata));
        return image;
    }

    // Runs a writer's step for one file of the checkpoint, its refusal of the tensors reworded as SerializeFile's.
    private static void InFile(string directory, string fileName, Action write)
    {
        try { write(); }
        catch (ArgumentException e) when (e.ParamName == "tensors")
        {
            throw new IOException($"checkpoint directory '{directory}': {fileName} cannot be written: {SafeTensorsWriter.Reason(e)}", e);
        }
    }

    private static CheckpointManifest.StoredFile Describe(byte[] bytes) => new(bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    // The file, checked against the size and SHA-256 the manifest records, then parsed.
    private static SafeTensorsFile ReadVerified(string path, CheckpointManifest.StoredFile expected)
    {
        byte[] bytes = ReadBytes(path, maxBytes: Array.MaxLength);
        if (bytes.LongLength != expected.Bytes)
            throw new CheckpointFormatException(path, null, $"the file is {bytes.LongLength} bytes; {ManifestFileName} records {expected.Bytes}.");
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != expected.Sha256)
            throw new CheckpointFormatException(path, null, $"SHA-256 {sha} does not match {expected.Sha256} recorded in {ManifestFileName} (the data bytes are corrupted).");
        return SafeTensorsFile.Parse(bytes, path);
    }

    /// <summary>The weights-file name of an optimizer buffer: <c>optim.{param}.{slot}</c>.</summary>
    public static string OptimizerTensorName(string parameter, string slot)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameter);
        ArgumentException.ThrowIfNullOrEmpty(slot);
        return $"{OptimizerPrefix}{parameter}.{slot}";
    }

    private static void CheckData<T>(CheckpointData<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in data.Parameters)
        {
            if (string.IsNullOrEmpty(p.Name)) throw new ArgumentException("Checkpoint.Save: a parameter has an empty name.", nameof(data));
            if (p.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || p.Name == SafeTensorsFile.MetadataKey)
                throw new ArgumentException($"Checkpoint.Save: parameter name '{p.Name}' is reserved (names starting with '{OptimizerPrefix}' hold optimizer state).", nameof(data));
            if (!names.Add(p.Name)) throw new ArgumentException($"Checkpoint.Save: two parameters are named '{p.Name}'.", nameof(data));
            ArgumentNullException.ThrowIfNull(p.Tensor);
        }
        if (data.Optimizer is not { } o) return;
        if (o.Parameters is null) throw new ArgumentException("Checkpoint.Save: the optimizer state has no parameter list.", nameof(data));
        if (o.Parameters.Count != data.Parameters.Count)
            throw new ArgumentException($"Checkpoint.Save: the optimizer state has {o.Parameters.Count} parameters, the checkpoint {data.Parameters.Count}.", nameof(data));
        for (int i = 0; i < o.Parameters.Count; i++)
            if (o.Parameters[i] is null) throw new ArgumentException($"Checkpoint.Save: the optimizer state of '{data.Parameters[i].Name}' is null.", nameof(data));
        if (!double.IsFinite(o.LearningRate))
            throw new ArgumentException($"Checkpoint.Save: the optimizer's learning rate is {o.LearningRate}; a checkpoint stores a finite number.", nameof(data));
    }

    private static byte[] ReadBytes(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new CheckpointFormatException(path, null, $"missing: a checkpoint directory holds {ManifestFileName}, {WeightsFileName} and, with an optimizer state, {OptimizerFileName}.");
        return BoundedFile.ReadAll(path, maxBytes,
            length => new CheckpointFormatException(path, null, $"the file is {length} bytes or more, above the {maxBytes}-byte limit."));
    }
}
