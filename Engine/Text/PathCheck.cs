using System.Runtime.InteropServices;

namespace SeqLearn.Text;

/// <summary>
/// What a path names, checked before reading or replacing it: an input file must not be a directory, and an output
/// that exists must be a regular file (a rename over a device node such as /dev/null or over a directory replaces it).
/// </summary>
public static class PathCheck
{
    /// <summary>Throws a <see cref="FileNotFoundException"/> when <paramref name="path"/> does not exist and an <see cref="IOException"/> when it is a directory.</summary>
    public static void EnsureInputFile(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"{what} '{path}' is a directory, not a file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} not found: '{path}'.", path);
    }

    /// <summary>Throws an <see cref="IOException"/> when <paramref name="path"/> exists and is not a regular file (a directory, device, pipe or socket).</summary>
    public static void EnsureReplaceable(string path) => EnsureReplaceable(path, "output");

    /// <summary>
    /// <see cref="EnsureReplaceable(string)"/> with a message that begins with <paramref name="what"/>, the option that
    /// names the output (e.g. <c>--out</c>): <c>--out 'x' is a directory; refusing to replace it with a file.</c>
    /// </summary>
    public static void EnsureReplaceable(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"{what} '{path}' is a directory; refusing to replace it with a file.");
        if (File.Exists(path) && !IsRegularFile(path))
            throw new IOException($"{what} '{path}' exists and is not a regular file (a device, pipe or socket); refusing to replace it.");
    }

    /// <summary>
    /// <see cref="EnsureReplaceable(string, string)"/>, and the folder the file goes into must be one that can be written:
    /// the nearest part of the path that exists must be a directory (not a file, as in <c>notes.txt/out.png</c>) and a
    /// file must be creatable in it. Every message begins with <paramref name="what"/> and the path as given, never a
    /// temporary name. Call it before the work whose result is written.
    /// </summary>
    /// <exception cref="IOException">The output cannot be written there.</exception>
    public static void EnsureWritableOutput(string path, string what)
    {
        EnsureReplaceable(path, what);
        EnsureWritableFolder(path, what, "file");
    }

    /// <summary>
    /// The folder check of <see cref="EnsureWritableOutput"/> for an output directory at <paramref name="path"/> (a
    /// checkpoint, written beside itself and renamed): throws an <see cref="IOException"/> when <paramref name="path"/> is a
    /// file, or a part of the path above it is a file, or its parent cannot be written.
    /// </summary>
    public static void EnsureWritableDirectoryOutput(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path)) throw new IOException($"{what} '{path}' is a file; the output is a directory: give another path.");
        EnsureWritableFolder(path, what, "directory");
    }

    // The nearest existing ancestor of path must be a directory in which a file can be created.
    private static void EnsureWritableFolder(string path, string what, string kind)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? folder = Path.GetDirectoryName(full);
        while (folder is not null && !Directory.Exists(folder))
        {
            if (File.Exists(folder)) throw new IOException($"{what} '{path}': '{folder}' is a file, not a folder, so no {kind} can be written under it.");
            folder = Path.GetDirectoryName(folder);
        }
        if (folder is null) return;   // no root: the write reports it
        string probe = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"{what} '{path}': the folder '{folder}' cannot be written ({(e is UnauthorizedAccessException ? "permission denied" : "no file can be created in it")}).", e);
        }
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when the output <paramref name="output"/> is the input <paramref name="input"/>
    /// (the same absolute path once a symbolic link to the file is followed): writing it would destroy the data it is made
    /// from. A null <paramref name="input"/> (an option not given) passes.
    /// </summary>
    public static void EnsureNotInput(string output, string outputOption, string? input, string inputOption)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (string.IsNullOrEmpty(input)) return;
        if (SameFile(output, input))
            throw new IOException($"{outputOption} '{output}' is the {inputOption} file '{input}'; refusing to write over the input.");
    }

    /// <summary>How paths compare on this system: ignoring case on Windows and macOS, ordinally elsewhere.</summary>
    public static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same file: the same <see cref="ResolvedPath"/> under <see cref="PathComparison"/>.</summary>
    public static bool SameFile(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return string.Equals(ResolvedPath(a), ResolvedPath(b), PathComparison);
    }

    /// <summary>The absolute path of a file, a symbolic link to it followed (a path that does not exist yet stays as it is).</summary>
    public static string ResolvedPath(string path)
    {
        string full = Path.GetFullPath(path);
        try { return File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : full; }
        catch (IOException) { return full; }
    }

    /// <summary>True when <paramref name="path"/> (symbolic links followed) is a regular file.</summary>
    public static bool IsRegularFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return (File.GetAttributes(path) & FileAttributes.Device) == 0;
        return FileType(path) is not int type || type == 0x8000; // S_IFREG; a file whose type cannot be read: the write reports it
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> naming <paramref name="what"/> when <paramref name="path"/> is a character or block
    /// device (<c>/dev/zero</c>, <c>/dev/urandom</c>, a disk): read as text, such a file never ends, or is no text. Pipes and
    /// regular files pass.
    /// </summary>
    public static void EnsureNotDevice(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(what);
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        if (FileType(path) is 0x2000 or 0x6000) // S_IFCHR, S_IFBLK
            throw new IOException($"{what} '{path}' is a device, not a file.");
    }

    // stat(2) through the runtime's own native shim: its FileStatus starts { int32 Flags; int32 Mode; … } with the file
    // type in Mode & S_IFMT. The buffer is larger than the struct. Null when the type cannot be read.
    private static int? FileType(string path)
    {
        var status = new byte[512];
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        try
        {
            if (SystemNativeStat(name, status) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        return BitConverter.ToInt32(status, 4) & 0xF000;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int SystemNativeStat(byte[] path, byte[] status);
}
