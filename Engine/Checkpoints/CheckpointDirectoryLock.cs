using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SeqLearn.Checkpoints;

/// <summary>
/// An exclusive lock on a training run's checkpoint directory, held while the run writes into it, so that two runs
/// never write <c>best</c>/<c>last</c> of one directory. The lock is an operating-system lock on a byte range of the
/// file <c>{dir}/lock</c> (fcntl on Linux, LockFileEx on Windows; on macOS, which has no byte-range locks in .NET, the
/// whole file opened exclusively), which the system releases when the process ends,
/// however it ends: a lock file left by a dead process is no lock and is taken over. The file holds the holder's
/// pid, host and start time, which a refused run names. Within one process a table of held directories does the same.
/// </summary>
internal sealed class CheckpointDirectoryLock : IDisposable
{
    /// <summary>The name of the lock file inside the directory.</summary>
    public const string FileName = "lock";

    // Far beyond the file's text, so that on Windows (where locks are mandatory) the holder's line stays readable.
    private const long LockedOffset = 1L << 30;

    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);

    private readonly FileStream _file;
    private readonly string _directory;

    private CheckpointDirectoryLock(FileStream file, string directory) => (_file, _directory) = (file, directory);

    /// <summary>
    /// Takes the lock on <paramref name="directory"/> (created if missing). Throws an <see cref="IOException"/>
    /// naming the holder when another run (in this or another process) holds it.
    /// </summary>
    public static CheckpointDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        Directory.CreateDirectory(full);
        return Acquire(full, Path.Combine(full, FileName));
    }

    /// <summary>
    /// The same lock for a checkpoint that is itself a directory replaced as a whole (<see cref="AtomicFile.WriteDirectory"/>,
    /// a saved classifier): a lock file inside it would be renamed away with it, so the lock is the file <c>{dir}.lock</c>
    /// beside it, next to the write's <c>{dir}.tmp</c> and <c>{dir}.old</c>. The parent folder is created if missing.
    /// </summary>
    public static CheckpointDirectoryLock AcquireBeside(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{directory}' is a root directory; a checkpoint directory needs a parent folder.", nameof(directory));
        Directory.CreateDirectory(parent);
        return Acquire(full, full + LockSuffix);
    }

    /// <summary>The suffix of <see cref="AcquireBeside"/>'s lock file.</summary>
    public const string LockSuffix = ".lock";

    private static CheckpointDirectoryLock Acquire(string full, string path)
    {
        lock (HeldHere)
        {
            if (!HeldHere.Add(full)) throw Held(full, path);
        }
        FileStream? file = null;
        try
        {
            try
            {
                if (OperatingSystem.IsMacOS())   // no byte-range locks there: the runtime's whole-file flock instead
                {
                    file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                else
                {
                    file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    file.Lock(LockedOffset, 1);
                }
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw Held(full, path);
            }
            string holder = string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} on {Environment.MachineName}, started {StartTime()}\n");
            file.SetLength(0);
            file.Write(Encoding.UTF8.GetBytes(holder));
            file.Flush(flushToDisk: true);
            return new CheckpointDirectoryLock(file, full);
        }
        catch
        {
            file?.Dispose();
            lock (HeldHere) HeldHere.Remove(full);
            throw;
        }
    }

    /// <summary>Releases the lock (the file stays; without the system lock it is no lock).</summary>
    public void Dispose()
    {
        _file.Dispose();   // closing the file releases the system lock
        lock (HeldHere) HeldHere.Remove(_directory);
    }

    private static string StartTime()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.StartTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return "at an unknown time";
        }
    }

    private static IOException Held(string directory, string path)
    {
        string holder;
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[512];
            holder = Encoding.UTF8.GetString(buffer, 0, reader.Read(buffer)).Trim();
        }
        catch (IOException) { holder = ""; }
        if (holder.Length == 0) holder = "a run that has not written its name yet";
        return new IOException($"checkpoint directory '{directory}' is in use by another training run ({holder}; lock file {path}). " +
                               "Wait for that run to finish or use another checkpoint directory.");
    }
}
