using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SeqLearn.Text;

/// <summary>Strict UTF-8 text reading: missing or empty files and invalid bytes are reported with the file and byte offset.</summary>
public static class TextFile
{
    /// <summary>Reads a whole UTF-8 file (a leading BOM is skipped). Throws <see cref="TextFormatException"/> on invalid UTF-8.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TextFormatException">The file is empty or is not valid UTF-8.</exception>
    public static string ReadAllText(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"'{path}' is a directory, not a text file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Text file not found: '{path}'.", path);
        byte[] bytes = ReadInputBytes(path, "Text file");
        if (bytes.Length == 0 || bytes is [0xEF, 0xBB, 0xBF])   // a lone BOM is no text either
            throw new TextFormatException($"{path}: the file is empty.");
        return DecodeUtf8(bytes, path);
    }

    /// <summary>
    /// The bytes of the existing input file <paramref name="path"/>, read whole once it is known to end and to fit one array:
    /// a device (<c>/dev/zero</c>) and a file above <see cref="Array.MaxLength"/> bytes (which <see cref="File.ReadAllBytes"/>
    /// refuses with a message that names no file) are an <see cref="IOException"/> whose message begins with
    /// <paramref name="what"/> (such as <c>CSV file</c>) and the path.
    /// </summary>
    internal static byte[] ReadInputBytes(string path, string what)
    {
        PathCheck.EnsureNotDevice(path, what);
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
            throw new IOException($"{what} '{path}' is {length} bytes; files above {Array.MaxLength} bytes are not supported.");
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Reads a whole UTF-8 stream (standard input, say) to its end with the checks <see cref="ReadAllText(string)"/> gives a
    /// file: a leading BOM is skipped, and empty input or invalid UTF-8 is a <see cref="TextFormatException"/> whose
    /// message begins with <paramref name="source"/>, the 1-based line and the byte in it
    /// (<c>standard input:2: invalid UTF-8 at byte 1 of the line (byte offset 10, 0xFF)</c>).
    /// </summary>
    /// <exception cref="TextFormatException">The stream is empty (or a lone BOM), holds invalid UTF-8, or is longer than an array can hold.</exception>
    public static string ReadAllText(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        byte[] bytes = BoundedRead.ReadToEnd(stream, Array.MaxLength,
            _ => new TextFormatException($"{source}: the input is longer than {Array.MaxLength} bytes, the most that is supported."));
        if (bytes.Length == 0 || bytes is [0xEF, 0xBB, 0xBF])
            throw new TextFormatException($"{source}: the input is empty.");
        if (FindInvalidUtf8(bytes) is { } bad) throw new TextFormatException($"{source}:{bad.Line}: {bad}.");
        return DecodeUtf8(bytes, source);
    }

    /// <summary>Reads a UTF-8 file as lines (split on '\n', a trailing '\r' removed; no empty last line for a final newline).</summary>
    public static string[] ReadLines(string path) => SplitLines(ReadAllText(path));

    /// <summary>Splits text into lines as <see cref="ReadLines"/> does.</summary>
    public static string[] SplitLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        int n = lines.Length;
        if (n > 0 && lines[n - 1].Length == 0) n--;
        var result = new string[n];
        for (int i = 0; i < n; i++)
            result[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        return result;
    }

    /// <summary>
    /// Decodes strict UTF-8. <paramref name="source"/> (a file name, or null for in-memory bytes) is named in the error,
    /// together with the byte offset of the first invalid sequence.
    /// </summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string? source = null)
    {
        int start = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        ReadOnlySpan<byte> body = bytes[start..];
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(1, body.Length));
        try
        {
            OperationStatus status = Utf8.ToUtf16(body, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                string where = source is null ? "input" : source;
                throw new TextFormatException(
                    $"{where}: invalid UTF-8 at byte offset {start + read} (byte 0x{bytes[start + read]:X2}).");
            }
            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The first invalid UTF-8 sequence in <paramref name="bytes"/>, or null when they are valid UTF-8. Lines end at
    /// '\n', and with <paramref name="crEndsLines"/> also at a '\r' that no '\n' follows, as <see cref="TextReader.ReadLine"/>
    /// ends them; the line and the byte in it are 1-based, the offset 0-based from the start of <paramref name="bytes"/>.
    /// </summary>
    internal static Utf8Error? FindInvalidUtf8(ReadOnlySpan<byte> bytes, bool crEndsLines = false)
    {
        if (Utf8.IsValid(bytes)) return null;
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            Utf8.ToUtf16(bytes, chars, out int offset, out _, replaceInvalidSequences: false);
            ReadOnlySpan<byte> before = bytes[..offset];
            int lines = before.Count((byte)'\n'), lineStart = before.LastIndexOf((byte)'\n') + 1;
            if (crEndsLines)
                for (int i = 0; i < before.Length; i++)
                {
                    if (before[i] != '\r' || (i + 1 < bytes.Length && bytes[i + 1] == '\n')) continue;
                    lines++;   // a lone CR (the byte after it, even the invalid one, is no LF)
                    lineStart = Math.Max(lineStart, i + 1);
                }
            return new Utf8Error(offset, lines + 1, offset - lineStart + 1, bytes[offset]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>As <see cref="FindInvalidUtf8(ReadOnlySpan{byte}, bool)"/>, streaming through the file at <paramref name="path"/> (for files too large to hold).</summary>
    internal static Utf8Error? FindInvalidUtf8(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        byte[] buffer = new byte[1 << 16];
        char[] chars = new char[buffer.Length];
        long offset = 0;        // file offset of buffer[0]
        int kept = 0, line = 1; // bytes of an incomplete sequence carried over; '\n' seen + 1
        long lineStart = 0;
        while (true)
        {
            int read = stream.Read(buffer, kept, buffer.Length - kept);
            int length = kept + read;
            bool final = read == 0;
            var status = Utf8.ToUtf16(buffer.AsSpan(0, length), chars, out int consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
            ReadOnlySpan<byte> valid = buffer.AsSpan(0, consumed);
            for (int from = 0, nl; (nl = valid[from..].IndexOf((byte)'\n')) >= 0; from += nl + 1)
            {
                line++;
                lineStart = offset + from + nl + 1;
            }
            if (status == OperationStatus.InvalidData)
                return new Utf8Error(offset + consumed, line, (int)(offset + consumed - lineStart + 1), buffer[consumed]);
            if (final) return null;
            kept = length - consumed; // NeedMoreData: an incomplete sequence at the end of the buffer
            buffer.AsSpan(consumed, kept).CopyTo(buffer);
            offset += consumed;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) atomically: a temporary file in the same folder, flushed, then renamed.</summary>
    public static void WriteAllTextAtomic(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAtomic(path, stream =>
        {
            byte[] bytes = new UTF8Encoding(false).GetBytes(text);
            stream.Write(bytes);
        });
    }

    // Numbers the temporary files of WriteAtomic within this process.
    private static long s_atomicWrites;

    /// <summary>How long a temporary file must have gone unmodified before a later write may delete it as a leftover.</summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    /// <summary>
    /// Deletes the temporary files <c>.{name}.{pid}.{n}.tmp</c> of <see cref="WriteAtomic"/> in <paramref name="dir"/> that a
    /// killed process left: only those whose process id is not a running process of this machine and that were last
    /// modified more than <see cref="StaleAfter"/> before <paramref name="now"/>, so a write in progress (ours, another
    /// process's, or one on another machine sharing the folder, which keeps its file's time current) is never touched.
    /// </summary>
    internal static void RemoveStaleTemporaries(string dir, string name, DateTime now)
    {
        string prefix = "." + name + ".";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, prefix + "*.tmp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string file in candidates)
        {
            string middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length];   // "{pid}.{n}"
            int dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                || !long.TryParse(middle.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                continue;
            try
            {
                if (pid == Environment.ProcessId || IsRunning(pid) || now - File.GetLastWriteTimeUtc(file) < StaleAfter) continue;
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a leftover is no reason to fail the write
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }               // no such process
        catch (InvalidOperationException) { return false; }
        catch (System.ComponentModel.Win32Exception) { return true; }   // exists, but not ours to inspect
    }

    /// <summary>
    /// Writes a file atomically: <paramref name="write"/> fills a temporary file in the same folder, which is flushed to
    /// disk and renamed over <paramref name="path"/>. The temporary name (<c>.{name}.{process id}.{n}.tmp</c>, n counted
    /// per process) is unique to this call, so concurrent writers of one path each rename their own complete file (the
    /// last rename wins) and a failing writer deletes only the temporary file it created. A process killed while writing
    /// leaves its temporary file behind (up to the size of the output); the next write of the same path deletes such
    /// leftovers (<see cref="RemoveStaleTemporaries"/>).
    /// </summary>
    public static void WriteAtomic(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        PathCheck.EnsureReplaceable(full);
        string dir = Path.GetDirectoryName(full) ?? ".";
        RemoveStaleTemporaries(dir, Path.GetFileName(full), DateTime.UtcNow);
        long n = Interlocked.Increment(ref s_atomicWrites);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{n}.tmp");
        FileStream opened;
        try
        {
            Directory.CreateDirectory(dir);
            opened = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            PathCheck.EnsureWritableOutput(path, "output");   // names the path as given (a file above it, a folder not writable), never the temporary file
            throw;
        }
        try
        {
            using (var stream = opened)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);   // the name is this call's alone
            throw;
        }
    }
}

/// <summary>Where a byte sequence stops being valid UTF-8 (see <see cref="TextFile.FindInvalidUtf8(ReadOnlySpan{byte}, bool)"/>).</summary>
/// <param name="Offset">0-based byte offset of the first invalid byte.</param>
/// <param name="Line">1-based line holding it (lines end at '\n', or as the caller asked, also at a lone '\r').</param>
/// <param name="Column">1-based byte position of it in that line.</param>
/// <param name="Value">The invalid byte.</param>
internal readonly record struct Utf8Error(long Offset, int Line, int Column, byte Value)
{
    /// <summary>"invalid UTF-8 at byte C of the line (byte offset O, 0xNN)".</summary>
    public override string ToString() => $"invalid UTF-8 at byte {Column} of the line (byte offset {Offset}, 0x{Value:X2})";
}

/// <summary>A text input (file or bytes) that is empty, not valid UTF-8, or otherwise malformed; the message names where.</summary>
public sealed class TextFormatException(string message) : Exception(message);
