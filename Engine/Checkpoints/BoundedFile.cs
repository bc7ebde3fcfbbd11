using SeqLearn.Text;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Reads a whole checkpoint file with its byte limit enforced while reading (<see cref="BoundedRead"/>); devices and
/// pipes, which report no length and may never end, are refused.
/// </summary>
internal static class BoundedFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/>; <paramref name="tooLarge"/> makes the error when it holds more than
    /// <paramref name="maxBytes"/> (its argument: the bytes seen so far, at least maxBytes + 1).
    /// </summary>
    public static byte[] ReadAll(string path, long maxBytes, Func<long, Exception> tooLarge)
    {
        if (File.Exists(path) && !PathCheck.IsRegularFile(path))
            throw new CheckpointFormatException(path, null, "not a regular file (a device, pipe or socket): a checkpoint file is read whole from disk.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return BoundedRead.ReadToEnd(stream, maxBytes, tooLarge);
    }
}
