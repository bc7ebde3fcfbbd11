using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Serialises tensors in the safetensors format (https://github.com/huggingface/safetensors):
/// <code>
/// [8 bytes]  N, the header length, unsigned little-endian
/// [N bytes]  UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
///            padded with spaces so that 8 + N is a multiple of 8
/// [rest]     the tensors' raw little-endian bytes; offsets are relative to the start of this buffer
/// </code>
/// Tensors are stored sorted by name (ordinal), back to back, without gaps. See docs/checkpoints.md.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// The complete file contents for <paramref name="tensors"/> and optional string metadata, in one byte array: tensors
    /// that with the header exceed <see cref="Array.MaxLength"/> bytes are an <see cref="ArgumentException"/> naming the sizes.
    /// </summary>
    public static byte[] Serialize(IReadOnlyCollection<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        int index = 0;
        foreach (var t in tensors)
        {
            if (t is null) throw new ArgumentException($"SafeTensorsWriter: tensor {index} is null.", nameof(tensors));
            index++;
        }
        if (metadata?.FirstOrDefault(kv => kv.Value is null) is { Key: { } nullKey })
            throw new ArgumentException($"SafeTensorsWriter: metadata '{nullKey}' is null; safetensors metadata values are strings.", nameof(metadata));
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Name == SafeTensorsFile.MetadataKey)
                throw new ArgumentException($"SafeTensorsWriter: '{SafeTensorsFile.MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (i > 0 && sorted[i].Name == sorted[i - 1].Name)
                throw new ArgumentException($"SafeTensorsWriter: two tensors are named '{sorted[i].Name}'.", nameof(tensors));
        }

        var (header, n, padded, dataLength) = Header([.. sorted.Select(t => new TensorLayout(t.Name, t.DType, t.Shape.ToArray(), t.Data.Length))], metadata, Array.MaxLength);
        var file = new byte[8 + padded + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.GetBuffer().AsSpan(0, n).CopyTo(file.AsSpan(8));
        file.AsSpan(8 + n, padded - n).Fill((byte)' ');
        long offset = 8 + padded;
        foreach (var t in sorted)
        {
            t.Data.Span.CopyTo(file.AsSpan((int)offset));
            offset += t.Data.Length;
        }
        return file;
    }

    /// <summary>The writer's refusal of <c>tensors</c> without its own name and .NET's parameter suffix, for a caller to reword.</summary>
    internal static string Reason(ArgumentException refusal)
    {
        string reason = Checks.MessageWithoutParameter(refusal);
        const string prefix = "SafeTensorsWriter: ";
        return reason.StartsWith(prefix, StringComparison.Ordinal) ? reason[prefix.Length..] : reason;
    }

    /// <summary>What the header and the size of a file depend on, for one tensor: its name, dtype, shape and byte count.</summary>
    internal readonly record struct TensorLayout(string Name, SafeTensorDType DType, int[] Shape, long Bytes)
    {
        /// <summary>The layout <see cref="SafeTensor.FromTensor"/> would give <paramref name="tensor"/>, without copying it.</summary>
        public static TensorLayout Of<T>(string name, Tensor<T> tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var dtype = SafeTensor.DTypeOf<T>();
            return new(name, dtype, tensor.ShapeArray(), (long)tensor.Length * SafeTensor.SizeOf(dtype));
        }
    }

    /// <summary>
    /// Throws the <see cref="ArgumentException"/> (parameter <c>tensors</c>) that <see cref="Serialize"/> throws when the file
    /// of <paramref name="tensors"/> would exceed <paramref name="maxBytes"/>, from their layouts alone: no tensor bytes are copied.
    /// </summary>
    internal static void EnsureFits(IEnumerable<TensorLayout> tensors, IReadOnlyDictionary<string, string>? metadata, long maxBytes) =>
        Header([.. tensors.OrderBy(t => t.Name, StringComparer.Ordinal)], metadata, maxBytes);

    // The JSON header of the tensors (sorted by name), its length, its padded length and the data length; a file beyond
    // maxBytes is refused naming the sizes.
    private static (MemoryStream Header, int Length, int Padded, long DataLength) Header(TensorLayout[] sorted, IReadOnlyDictionary<string, string>? metadata, long maxBytes)
    {
        var header = new MemoryStream();
        long dataLength = 0;
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(SafeTensorsFile.MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var t in sorted)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(dataLength);
                w.WriteNumberValue(dataLength += t.Bytes);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        int n = (int)header.Length;
        int padded = (n + 7) / 8 * 8;                       // 8 + N stays a multiple of 8
        if (8 + padded + dataLength > maxBytes) throw TooLarge(sorted, 8 + padded, dataLength, maxBytes);
        return (header, n, padded, dataLength);
    }

    // The file is built in one byte array: tensors beyond its length are refused, naming the sizes and the largest tensors.
    private static ArgumentException TooLarge(TensorLayout[] sorted, long headerBytes, long dataLength, long maxBytes)
    {
        string largest = string.Join(", ", sorted.OrderByDescending(t => t.Bytes).Take(3).Select(t => string.Create(CultureInfo.InvariantCulture, $"'{t.Name}' {t.Bytes:N0}")));
        return new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"SafeTensorsWriter: the {sorted.Length} tensors hold {dataLength:N0} bytes (the largest: {largest}); with the {headerBytes:N0}-byte header the file " +
            $"would exceed {maxBytes:N0} bytes, the most one file image can hold: save the tensors in several files."), "tensors");
    }

    /// <summary>Writes a safetensors file atomically (temp file, flush, rename).</summary>
    public static void Write(string path, IReadOnlyCollection<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialize(tensors, metadata));
}
