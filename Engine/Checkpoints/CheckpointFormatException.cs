namespace SeqLearn.Checkpoints;

/// <summary>
/// A checkpoint or safetensors file that is corrupt, truncated, or of an unsupported format version.
/// The message names the file, the byte offset (when there is one) and what was expected there.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="offset"/> is the byte offset in <paramref name="file"/>, if known.</summary>
    public CheckpointFormatException(string file, long? offset, string problem, Exception? inner = null)
        : base($"{file}{(offset is long o ? $" at byte {o}" : "")}: {problem}", inner)
    {
        File = file;
        Offset = offset;
    }

    /// <summary>The file (or directory) that failed to load.</summary>
    public string File { get; }

    /// <summary>The byte offset of the problem in <see cref="File"/>, when it is known.</summary>
    public long? Offset { get; }
}
