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

    /// <summary>
    /// Creates directory <paramref name="directory"/> atomically: <paramref name="fill"/> writes its files into a
    /// temporary sibling directory (<c>{name}.tmp</c>), each file flushed to disk, and the final rename makes the
    /// whole directory visible at once. An existing directory is replaced: it is first renamed to
    /// <c>{name}.old</c> (so a crash between the two renames leaves the old content there) and deleted afterwards.
    /// </summary>
    public static void WriteDirectory(string directory, Action<string> fill)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(fill);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string tmp = full + ".tmp", old = full + ".old";
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
        if (Directory.Exists(full))
        {
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
            Directory.Move(full, old);
            Directory.Move(tmp, full);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(tmp, full);
        }
    }

    /// <summary>Writes a file that is about to be renamed into place as part of a directory (flushed to disk).</summary>
    internal static void WriteFlushed(string path, ReadOnlySpan<byte> bytes)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    private static void TryDeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
