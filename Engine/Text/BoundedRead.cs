namespace SeqLearn.Text;

/// <summary>
/// Reads a stream to its end with a byte limit that holds whatever its reported length says: a device such as
/// <c>/dev/zero</c> or a pipe reports no length (or 0) and may never end, and a file may grow after its length was read.
/// </summary>
internal static class BoundedRead
{
    /// <summary>
    /// The bytes left in <paramref name="stream"/>; <paramref name="tooLarge"/> makes the error when they are more than
    /// <paramref name="maxBytes"/> (capped at <see cref="Array.MaxLength"/>; its argument: the bytes seen so far, at least
    /// maxBytes + 1). A seekable stream is read into one array of its reported length when that is what it holds.
    /// </summary>
    public static byte[] ReadToEnd(Stream stream, long maxBytes, Func<long, Exception> tooLarge)
    {
        maxBytes = Math.Min(maxBytes, Array.MaxLength);
        long reported = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;
        if (reported > maxBytes) throw tooLarge(reported);
        var buffer = new byte[reported];
        int filled = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (filled == buffer.Length)
            {
                // Past the reported length: one more byte tells whether the stream goes on, and growth stays within the limit.
                if (stream.Read(probe) == 0) return buffer;
                if (buffer.Length + 1L > maxBytes) throw tooLarge(buffer.Length + 1L);
                Array.Resize(ref buffer, (int)Math.Min(maxBytes, Math.Max(1L << 16, 2L * buffer.Length + 1)));
                buffer[filled++] = probe[0];
                continue;
            }
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                Array.Resize(ref buffer, filled);   // shorter than reported or than the grown buffer
                return buffer;
            }
            filled += n;
        }
    }
}
