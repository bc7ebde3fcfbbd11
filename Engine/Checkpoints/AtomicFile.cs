using SeqLearn.Text;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Writes files and directories so that readers see either the old content or the complete new content:
/// write to a temporary name in the same directory, flush to disk, then rename over the final name.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes a file through <paramref name="write"/>: temp file, flush to disk, rename (<see cref="TextFile.WriteAtomic"/>).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        TextFile.WriteAtomic(path, write);
    }

    /// <summary>Writes all of <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>The suffix of the sibling directory a new directory is written into before its rename.</summary>
    internal const string TmpSuffix = ".tmp";

    /// <summary>The suffix an existing directory is renamed to while its replacement is moved in.</summary>
    internal const string OldSuffix = ".old";

    /// <summary>
    /// Creates directory <paramref name="directory"/> atomically: <paramref name="fill"/> writes its files into a
    /// temporary sibling directory (<c>{name}.tmp</c>), each file flushed to disk, and the final rename makes the
    /// whole directory visible at once. An existing directory is replaced: it is first renamed to
    /// <c>{name}.old</c> (so a crash between the two renames leaves the old content there) and deleted afterwards.
    /// Only a directory that holds nothing but checkpoint files is replaced (and only such leftovers <c>{name}.tmp</c>
    /// and <c>{name}.old</c> are deleted, <see cref="CheckpointFiles"/>): any other content is an <see cref="IOException"/>
    /// naming the first foreign file, before anything is written or removed.
    /// A crash inside the sequence leaves <c>{name}</c>, or <c>{name}.old</c> and a complete <c>{name}.tmp</c>;
    /// <see cref="CheckpointRecovery.Recover"/> and <see cref="Checkpoint.Load{T}"/> handle both.
    /// </summary>
    public static void WriteDirectory(string directory, Action<string> fill)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(fill);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string tmp = full + TmpSuffix, old = full + OldSuffix;
        CrashHook.At(CrashHook.Before, full);
        EnsureWritable(full);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
        }
        catch
        {
            TryDeleteDirectory(tmp);
            throw;
        }
        CrashHook.At(CrashHook.Filled, full);
        if (Directory.Exists(full))
        {
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
            Directory.Move(full, old);
            CrashHook.At(CrashHook.MovedOld, full);
        }
        Directory.Move(tmp, full);
        CrashHook.At(CrashHook.MovedNew, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// For a reader of a directory that <see cref="WriteDirectory"/> replaces, when <paramref name="directory"/> is missing
    /// because a writer was stopped between its two renames: reads the complete copy the sequence left,
    /// <c>{directory}.tmp</c> (the new content) when it holds <paramref name="markerFile"/> and <paramref name="read"/>
    /// succeeds, else <c>{directory}.old</c> (the previous content). Null when neither holds the marker; the first
    /// <see cref="CheckpointFormatException"/> when each that holds it fails. Nothing is renamed or deleted
    /// (<see cref="CheckpointRecovery.Recover"/> does that for the owner of the directory).
    /// </summary>
    internal static TResult? ReadLeftCopy<TResult>(string directory, string markerFile, Func<string, TResult> read) where TResult : class
    {
        string full = Path.TrimEndingDirectorySeparator(directory);
        CheckpointFormatException? first = null;
        foreach (string candidate in new[] { full + TmpSuffix, full + OldSuffix })
        {
            if (!File.Exists(Path.Combine(candidate, markerFile))) continue;
            try { return read(candidate); }
            catch (CheckpointFormatException e) { first ??= e; }
            catch (IOException) when (Directory.Exists(directory)) { return read(directory); }   // renamed meanwhile
        }
        if (first is not null) throw first;
        return null;
    }

    /// <summary>
    /// Throws the <see cref="IOException"/> that <see cref="WriteDirectory"/> would throw before writing anything: a file at
    /// <paramref name="directory"/> (the final rename would fail after all the writing), or content other than checkpoint
    /// files in it or in its leftovers <c>{name}.tmp</c> and <c>{name}.old</c> (<see cref="CheckpointFiles"/>); a root
    /// directory, which has no parent to write <c>{name}.tmp</c> in, is an <see cref="ArgumentException"/>.
    /// </summary>
    public static void EnsureWritable(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Path.GetDirectoryName(full) is null)   // {name}.tmp is written beside the directory: a root has no parent
            throw new ArgumentException($"'{directory}' is a root directory; a checkpoint directory needs a parent folder.", nameof(directory));
        if (File.Exists(full))
            throw new IOException($"'{full}' is a file, not a directory: a directory cannot be written there.");
        const string operation = "writing a checkpoint directory";
        CheckpointFiles.EnsureOnlyCheckpointFiles(full, operation, "the directory it replaces");
        CheckpointFiles.EnsureOnlyCheckpointFiles(full + TmpSuffix, operation, "a leftover of an earlier write, deleted first");
        CheckpointFiles.EnsureOnlyCheckpointFiles(full + OldSuffix, operation, "a leftover of an earlier write, deleted first");
    }

    /// <summary>
    /// Removes directory <paramref name="directory"/> (if it exists) so that no half-deleted copy is ever left under its
    /// name: it is renamed to <c>{name}.old</c> first, then deleted, a checkpoint's manifest before anything else. A crash
    /// between the rename and the manifest's removal leaves the whole old content, which <see cref="CheckpointRecovery.Recover"/>
    /// puts back: the removal then simply did not happen. A crash after it leaves files without a manifest, which no reader
    /// takes for a checkpoint (<see cref="Checkpoint.Exists"/>, <see cref="Checkpoint.Load{T}"/>) and
    /// <see cref="CheckpointRecovery.Recover"/> removes. A directory holding anything but checkpoint files is not removed
    /// (<see cref="IOException"/>, as in <see cref="WriteDirectory"/>).
    /// </summary>
    public static void DeleteDirectory(string directory) => DeleteDirectory(directory, afterManifest: null);

    /// <summary><see cref="DeleteDirectory(string)"/>, calling <paramref name="afterManifest"/> with the renamed copy once its manifest is gone (tests stop there).</summary>
    internal static void DeleteDirectory(string directory, Action<string>? afterManifest)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string old = full + OldSuffix;
        if (!Directory.Exists(full)) return;
        const string operation = "removing a checkpoint directory";
        CheckpointFiles.EnsureOnlyCheckpointFiles(full, operation, "the directory to remove");
        CheckpointFiles.EnsureOnlyCheckpointFiles(old, operation, "a leftover of an earlier write, deleted first");
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        Directory.Move(full, old);
        File.Delete(Path.Combine(old, Checkpoint.ManifestFileName));   // no-op when absent
        afterManifest?.Invoke(old);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>Writes a file that is about to be renamed into place as part of a directory (flushed to disk).</summary>
    internal static void WriteFlushed(string path, ReadOnlySpan<byte> bytes)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
        CrashHook.At(CrashHook.FileWritten, path);
    }

    private static void TryDeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
