using System.Buffers.Binary;
using System.Text.Json;

namespace SeqLearn.Checkpoints;

/// <summary>
/// A parsed and fully validated safetensors file (layout in <see cref="SafeTensorsWriter"/>). Reading never
/// trusts the file: the header length is checked against the file size before anything is allocated, and every
/// entry's dtype, shape, offsets and extent are checked (shape × dtype size = span, spans sorted back to back
/// from 0 to the end of the file, no gaps or overlaps). Any violation is a <see cref="CheckpointFormatException"/>
/// naming the file, the byte offset and what was expected.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The reserved header key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest accepted header (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafeTensor> _byName;

    private SafeTensorsFile(IReadOnlyDictionary<string, string> metadata, SafeTensor[] tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors, sorted by name.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public SafeTensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Reads and validates the file at <paramref name="path"/>: a missing file is a <see cref="FileNotFoundException"/>; a
    /// directory, a device or a malformed file is a <see cref="CheckpointFormatException"/> naming it.
    /// </summary>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw Directory.Exists(path) ? new CheckpointFormatException(path, null, "this is a directory, not a safetensors file.")
                : new FileNotFoundException($"SafeTensorsFile: {path} does not exist.", path);
        return Parse(BoundedFile.ReadAll(path, Array.MaxLength,
            length => new CheckpointFormatException(path, null, $"the file is {length} bytes or more; files above {Array.MaxLength} bytes are not supported.")), path);
    }

    /// <summary>Parses and validates the bytes of a whole file; <paramref name="fileName"/> is used in errors.</summary>
    public static SafeTensorsFile Parse(byte[] bytes, string fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8)
            throw new CheckpointFormatException(fileName, 0, $"the file is {bytes.Length} bytes; expected at least 8 (the little-endian header length).");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long available = bytes.Length - 8;
        if (n > (ulong)available)
            throw new CheckpointFormatException(fileName, 0, $"the header length is {n} bytes but only {available} bytes follow the 8-byte length (truncated file, or not safetensors).");
        if (n > MaxHeaderBytes)
            throw new CheckpointFormatException(fileName, 0, $"the header length {n} exceeds the {MaxHeaderBytes}-byte limit.");
        if (n < 2)
            throw new CheckpointFormatException(fileName, 0, $"the header length is {n}; expected at least 2 (a JSON object).");

        var header = SafeTensorsHeader.Parse(bytes.AsSpan(8, (int)n), fileName, headerStart: 8);
        long dataStart = 8 + (long)n;
        long dataLength = bytes.Length - dataStart;
        var tensors = new List<SafeTensor>(header.Entries.Count);
        long expectedBegin = 0;
        foreach (var e in header.Entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expectedBegin)
                throw new CheckpointFormatException(fileName, e.HeaderOffset,
                    $"tensor '{e.Name}' starts at data offset {e.Begin}, expected {expectedBegin} ({(e.Begin > expectedBegin ? "a gap" : "an overlap")} between tensors).");
            if (e.End > dataLength)
                throw new CheckpointFormatException(fileName, bytes.Length,
                    $"tensor '{e.Name}' ends at data offset {e.End} but the data buffer has only {dataLength} bytes (truncated file).");
            tensors.Add(new SafeTensor(e.Name, e.DType, e.Shape, bytes.AsMemory((int)(dataStart + e.Begin), (int)(e.End - e.Begin))));
            expectedBegin = e.End;
        }
        if (expectedBegin != dataLength)
            throw new CheckpointFormatException(fileName, dataStart + expectedBegin,
                $"the tensors cover {expectedBegin} bytes of data but the file holds {dataLength} after the header (trailing bytes).");
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SafeTensorsFile(header.Metadata, tensors.ToArray());
    }
}
