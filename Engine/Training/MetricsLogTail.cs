using System.Text.Json;

namespace SeqLearn.Training;

/// <summary>Where the complete records of a metrics log end, for <see cref="MetricsLog"/> to append after them.</summary>
internal static class MetricsLogTail
{
    /// <summary>
    /// The length of the file up to and including its last newline: a cut-off last record is dropped, while a last line
    /// that is whole JSON without its newline (which <see cref="MetricsLog.Read"/> reads as a record) is kept and gets its
    /// newline (<paramref name="stream"/> is positioned at the end, written there). With <paramref name="resumedAt"/>, the
    /// records at the end whose step is past it are dropped too. Reads from the end back, only as far as it drops.
    /// </summary>
    public static long CompleteLength(FileStream stream, long? resumedAt)
    {
        long end = stream.Length;
        long keep = LineStart(stream, end);                 // after the last newline (the end when the file ends with one; 0 with none)
        if (keep < end && StepOf(Read(stream, keep, end - keep)) is not null)
        {
            stream.Seek(0, SeekOrigin.End);
            stream.WriteByte((byte)'\n');
            keep = end + 1;
        }
        while (resumedAt is long step && keep > 0)
        {
            long start = LineStart(stream, keep - 1);       // the last complete line is [start, keep)
            if (!(StepOf(Read(stream, start, keep - start)) is long s && s > step)) break;
            keep = start;
        }
        return keep;
    }

    // The position just after the last '\n' before position `before` (0 when there is none).
    private static long LineStart(FileStream stream, long before)
    {
        var buffer = new byte[64 * 1024];
        long position = before;
        while (position > 0)
        {
            int count = (int)Math.Min(buffer.Length, position);
            stream.Seek(position - count, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            int at = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (at >= 0) return position - count + at + 1;
            position -= count;
        }
        return 0;
    }

    private static byte[] Read(FileStream stream, long start, long length)
    {
        if (length > 1 << 20) return [];                    // no record is that long: not one of ours
        var bytes = new byte[length];
        stream.Seek(start, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static long? StepOf(byte[] line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
