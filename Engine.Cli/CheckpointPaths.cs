using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>The kinds of model a command trains into a checkpoint directory, by what its <c>checkpoint.json</c> holds.</summary>
internal enum CheckpointKind
{
    /// <summary><c>model_config.type = "recurrent_lm"</c>, written by <c>train</c>.</summary>
    LanguageModel,
    /// <summary><c>model_config.type = "seq2seq"</c>, written by <c>translate train</c>.</summary>
    Translation,
    /// <summary><c>vocabulary.type = "sentence_classifier"</c> (or an <c>ensemble.json</c>), written by <c>classify train</c>.</summary>
    Classifier,
}

/// <summary>
/// The paths of a command's checkpoints and what its other outputs must leave alone. A training run's directory
/// (<c>--checkpoint DIR</c> of <c>train</c> and <c>translate train</c>) holds the checkpoints <c>DIR/best</c>,
/// <c>DIR/last</c> and <c>DIR/scheduled-best</c> (each with its rename leftovers <c>.tmp</c>/<c>.old</c>) and the lock file
/// <c>DIR/lock</c>; files beside them, such as <c>DIR/metrics.jsonl</c>, are the user's. A checkpoint directory (one
/// holding <c>checkpoint.json</c> or <c>ensemble.json</c>, or <c>classify train</c>'s <c>--checkpoint</c>) is replaced
/// as a whole, so nothing else may be written inside it.
/// </summary>
internal static class CheckpointPaths
{
    private static readonly string[] RunCheckpoints = ["best", "last", Trainer<float>.ScheduledBestDirectory];
    private static readonly string[] Leftovers = ["", ".tmp", ".old"];
    private const string LockFile = "lock";

    private static StringComparison Comparison => SeqLearn.Text.PathCheck.PathComparison;

    /// <summary>
    /// Throws an <see cref="IOException"/> naming both options when the output <paramref name="output"/> would be written
    /// into a checkpoint of <paramref name="directory"/> (the value of <paramref name="directoryOption"/>) or over its lock
    /// file: it would corrupt the checkpoint, or make its next save refuse the directory. With <paramref name="whole"/> the
    /// directory itself is the checkpoint (it is replaced as a whole); otherwise it is one when it holds a manifest, and a
    /// run directory (see the class) when not.
    /// </summary>
    public static void EnsureOutside(string output, string outputOption, string directory, string directoryOption, bool whole = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Full(directory);
        string resolved = Path.TrimEndingDirectorySeparator(SeqLearn.Text.PathCheck.ResolvedPath(output));
        string[] targets = resolved != Full(output) ? [Full(output), resolved] : [Full(output)];
        foreach (string target in targets)
        {
            if (string.Equals(target, full, Comparison))
                throw new IOException($"{outputOption} '{output}' is the directory of {directoryOption} {directory}; refusing to write a file there: give another path.");
            foreach (string region in Protected(full, whole))
                if (string.Equals(target, region, Comparison) || target.StartsWith(region + Path.DirectorySeparatorChar, Comparison))
                    throw new IOException(Path.GetFileName(region) == LockFile
                        ? $"{outputOption} '{output}' is the lock file of {directoryOption} {directory}; refusing to write over it: give a path outside the checkpoints."
                        : $"{outputOption} '{output}' is inside the checkpoint '{region}' of {directoryOption} {directory}; refusing to write into a checkpoint: give a path outside it (beside it is fine).");
        }
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when <paramref name="directory"/> (the value of <paramref name="option"/>) already
    /// holds a checkpoint of another kind than <paramref name="kind"/>, naming the directory, the checkpoint and the kind it
    /// holds: a new run would replace another task's model (or, for a run directory, write its own beside it). A training
    /// run's directory (<paramref name="whole"/> false) that is itself a checkpoint is refused too: the run writes
    /// <c>best/</c> and <c>last/</c> into it. Called before any data are read. An unreadable manifest is left to the
    /// command's own checks.
    /// </summary>
    public static void EnsureHoldsOnly(string directory, string option, CheckpointKind kind, bool whole)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Full(directory);
        if (!Directory.Exists(full)) return;
        if (!whole && IsCheckpoint(full))
            throw new IOException($"{option} {directory} is itself a checkpoint ({Describe(Manifest(full))}); a training run writes best/ and last/ into its directory: "
                                  + $"give {(RunCheckpoints.Contains(Path.GetFileName(full)) ? $"the run directory '{Path.GetDirectoryName(full)}' or " : "")}another directory.");
        IEnumerable<string> candidates = IsCheckpoint(full) ? [full] : RunCheckpoints.Select(n => Path.Combine(full, n));   // a checkpoint, or a run's
        foreach (string candidate in candidates)
        {
            string? manifest = Manifest(candidate);
            if (manifest is null || KindOf(manifest) is not { } found || found.Kind == kind) continue;
            throw new IOException($"{option} {directory} holds {found.Description} in {manifest}; this command trains {Describe(kind)}, and a new run would "
                                  + "replace it: give another directory, or move that checkpoint away first.");
        }
    }

    // The directories (and lock file) of a checkpoint directory or of a run directory that an output must stay out of.
    private static IEnumerable<string> Protected(string full, bool whole)
    {
        if (whole || IsCheckpoint(full))
        {
            foreach (string suffix in Leftovers) yield return full + suffix;
            // DIR/last of a run (as --resume names it): its sibling checkpoints are read too (the best weights so far).
            if (whole || !RunCheckpoints.Contains(Path.GetFileName(full)) || Path.GetDirectoryName(full) is not { } parent) yield break;
            full = parent;
        }
        foreach (string name in RunCheckpoints)
            foreach (string suffix in Leftovers) yield return Path.Combine(full, name + suffix);
        yield return Path.Combine(full, LockFile);
    }

    // A directory holding a checkpoint manifest (or a stopped write's copy of one) or an ensemble manifest.
    private static bool IsCheckpoint(string full) => Manifest(full) is not null;

    private static string? Manifest(string dir)
    {
        foreach (string suffix in Leftovers)
        {
            if (suffix.Length > 0 && Directory.Exists(dir)) break;   // a stopped write's copy counts only while the directory is missing
            foreach (string name in new[] { Checkpoint.ManifestFileName, Classification.RecurrentEnsembleClassifier.ManifestFileName })
                if (File.Exists(Path.Combine(dir + suffix, name))) return Path.Combine(dir + suffix, name);
        }
        return null;
    }

    private static string Describe(string? manifest) => manifest is not null && KindOf(manifest) is { } k ? $"{k.Description} in {manifest}" : manifest ?? "";

    private static string Describe(CheckpointKind kind) => kind switch
    {
        CheckpointKind.LanguageModel => "a language model",
        CheckpointKind.Translation => "a translation model",
        _ => "a sentence classifier",
    };

    // The kind a manifest names; null when it cannot be read (the command's own loading reports that).
    private static (CheckpointKind? Kind, string Description)? KindOf(string manifest)
    {
        if (Path.GetFileName(manifest) == Classification.RecurrentEnsembleClassifier.ManifestFileName)
            return (CheckpointKind.Classifier, "a sentence classifier ensemble (written by 'classify train')");
        try
        {
            if (new FileInfo(manifest).Length > Checkpoint.MaxManifestBytes) return null;
            if (JsonNode.Parse(File.ReadAllBytes(manifest)) is not JsonObject root) return null;
            if (TypeOf(root["vocabulary"]) == "sentence_classifier") return (CheckpointKind.Classifier, "a sentence classifier (written by 'classify train')");
            return TypeOf(root["model_config"]) switch
            {
                "recurrent_lm" => (CheckpointKind.LanguageModel, "a language model (model type 'recurrent_lm', written by 'train')"),
                "seq2seq" => (CheckpointKind.Translation, "a translation model (model type 'seq2seq', written by 'translate train')"),
                { } other => (null, $"a model of type '{other}'"),
                null => null,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException) { return null; }
    }

    private static string? TypeOf(JsonNode? node) =>
        node is JsonObject o && o["type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
