namespace SeqLearn.Checkpoints;

/// <summary>
/// Reads a whole checkpoint file with a byte limit that holds whatever the file system says about its length: a device
/// such as <c>/dev/zero</c> or a pipe reports length 0 and never ends (such files are refused), and a regular file may
/// grow after its length was read.
/// </summary>
internal static class BoundedFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/>; <paramref name="tooLarge"/> makes the error when it holds more than
    /// <paramref name="maxBytes"/> (its argument: the bytes seen so far, at least maxBytes + 1).
    /// </summary>
    public static byte[] ReadAll(string path, long maxBytes, Func<long, Exception> tooLarge)
    {
        // A checkpoint file is a regular file; a device or a pipe would be read up to the limit before anything is checked.
        if (File.Exists(path) && !SeqLearn.Text.PathCheck.IsRegularFile(path))
            throw new CheckpointFormatException(path, null, "not a regular file (a device, pipe or socket): a checkpoint file is read whole from disk.");
        maxBytes = Math.Min(maxBytes, Array.MaxLength);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long reported = stream.CanSeek ? stream.Length : 0;
        if (reported > maxBytes) throw tooLarge(reported);
        var buffer = new byte[(int)Math.Max(reported, 0)];
        int filled = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (filled == buffer.Length)
            {
                // Past the reported length: one more byte tells whether the file goes on, and growth stays within the limit.
                if (stream.Read(probe) == 0) return buffer;
                if (buffer.Length + 1L > maxBytes) throw tooLarge(buffer.Length + 1L);
                Array.Resize(ref buffer, (int)Math.Min(maxBytes, Math.Max(4096L, 2L * buffer.Length + 1)));
                buffer[filled++] = probe[0];
                continue;
            }
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                Array.Resize(ref buffer, filled);   // the file shrank after its length was read
                return buffer;
            }
            filled += n;
        }
    }
}
