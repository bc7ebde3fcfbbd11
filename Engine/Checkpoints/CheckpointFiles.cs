using System.Text.RegularExpressions;

namespace SeqLearn.Checkpoints;

/// <summary>
/// The names a checkpoint directory written by SeqLearn holds: <c>checkpoint.json</c>, <c>weights.safetensors</c> and
/// <c>optimizer.safetensors</c> (<see cref="Checkpoint"/>), or <c>ensemble.json</c> and the member checkpoints
/// <c>member0/</c> … (an ensemble classifier), plus, inside a write that was stopped, a member's <c>.tmp</c>/<c>.old</c>.
/// <see cref="AtomicFile.WriteDirectory"/> and <see cref="AtomicFile.DeleteDirectory(string)"/> replace or remove a whole
/// directory, so they touch only one that holds nothing else: a user's files are never deleted by a save.
/// </summary>
internal static partial class CheckpointFiles
{
    /// <summary>The manifest of an ensemble directory (<c>RecurrentEnsembleClassifier.ManifestFileName</c>).</summary>
    public const string EnsembleManifestFileName = "ensemble.json";

    private static readonly HashSet<string> Files = new(StringComparer.Ordinal)
    {
        Checkpoint.ManifestFileName, Checkpoint.WeightsFileName, Checkpoint.OptimizerFileName, EnsembleManifestFileName,
    };

    [GeneratedRegex(@"^member[0-9]+(\.tmp|\.old)?$", RegexOptions.CultureInvariant)]
    private static partial Regex MemberDirectory();

    /// <summary>
    /// The path of the first entry under <paramref name="directory"/> (searched recursively through member directories)
    /// that no SeqLearn checkpoint writes, or null when there is none (an empty directory included).
    /// </summary>
    public static string? FirstForeignEntry(string directory)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (Directory.Exists(entry))
            {
                if (!MemberDirectory().IsMatch(name) || new DirectoryInfo(entry).LinkTarget is not null) return entry;
                if (FirstForeignEntry(entry) is { } inner) return inner;
            }
            else if (!Files.Contains(name))
            {
                return entry;
            }
        }
        return null;
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when <paramref name="directory"/> exists and holds anything a checkpoint does not;
    /// <paramref name="role"/> says what the directory is to the operation (e.g. "the target", "a leftover of an earlier write").
    /// </summary>
    public static void EnsureOnlyCheckpointFiles(string directory, string operation, string role)
    {
        if (!Directory.Exists(directory)) return;
        if (FirstForeignEntry(directory) is { } foreign)
            throw new IOException(
                $"{operation}: '{directory}' ({role}) holds '{foreign}', which is not part of a SeqLearn checkpoint. " +
                "A checkpoint replaces its whole directory, so it is written only into a new or empty directory or over another checkpoint; " +
                "choose another directory or move the files away.");
    }
}
