using System.Text;
using System.Text.Json;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Strict parser of a safetensors JSON header: a single object whose keys are tensor names (each an object
/// with exactly <c>dtype</c>, <c>shape</c>, <c>data_offsets</c>) plus an optional <c>__metadata__</c> object of
/// strings. Errors carry the byte offset in the file of the offending token.
/// </summary>
internal sealed class SafeTensorsHeader
{
    private const int MaxRank = 32;

    public readonly record struct Entry(string Name, SafeTensorDType DType, int[] Shape, long Begin, long End, long HeaderOffset);

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public List<Entry> Entries { get; } = [];

    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, string file, long headerStart)
    {
        if (Text.TextFile.FindInvalidUtf8(json) is { } bad)
            throw new CheckpointFormatException(file, headerStart + bad.Offset, $"the header is not valid UTF-8 (0x{bad.Value:X2}).");
        var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        var h = new SafeTensorsHeader();
        try
        {
            Read(ref r, file, headerStart);
            Expect(ref r, JsonTokenType.StartObject, "the header to be a JSON object", file, headerStart);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (Read(ref r, file, headerStart) && r.TokenType == JsonTokenType.PropertyName)
            {
                long at = headerStart + r.TokenStartIndex;
                string name = r.GetString()!;
                if (name.Length == 0) throw new CheckpointFormatException(file, at, "a tensor has an empty name.");
                if (!seen.Add(name)) throw new CheckpointFormatException(file, at, $"'{name}' appears twice in the header.");
                Read(ref r, file, headerStart);
                if (name == SafeTensorsFile.MetadataKey) h.ReadMetadata(ref r, file, headerStart);
                else h.Entries.Add(ReadEntry(ref r, name, at, file, headerStart));
            }
            Expect(ref r, JsonTokenType.EndObject, "a tensor name or the end of the header object", file, headerStart);
            if (r.Read())
                throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, "unexpected content after the header object.");
        }
        catch (JsonException e)
        {
            long? offset = e.LineNumber == 0 && e.BytePositionInLine is long p ? headerStart + p : null;
            string where = offset is null ? $" (header line {e.LineNumber + 1}, byte {e.BytePositionInLine} in that line)" : "";
            throw new CheckpointFormatException(file, offset, $"the header is not valid JSON{where}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 inside a string.
            throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, $"a header string is not valid UTF-8: {e.Message}", e);
        }
        return h;
    }

    private void ReadMetadata(ref Utf8JsonReader r, string file, long headerStart)
    {
        Expect(ref r, JsonTokenType.StartObject, $"'{SafeTensorsFile.MetadataKey}' to be an object of strings", file, headerStart);
        while (Read(ref r, file, headerStart) && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = r.GetString()!;
            Read(ref r, file, headerStart);
            Expect(ref r, JsonTokenType.String, $"metadata value of '{key}' to be a string", file, headerStart);
            if (!Metadata.TryAdd(key, r.GetString()!))
                throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, $"metadata key '{key}' appears twice.");
        }
        Expect(ref r, JsonTokenType.EndObject, "a metadata key or the end of the metadata object", file, headerStart);
    }

    private static Entry ReadEntry(ref Utf8JsonReader r, string name, long at, string file, long headerStart)
    {
        Expect(ref r, JsonTokenType.StartObject, $"tensor '{name}' to be an object", file, headerStart);
        SafeTensorDType? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (Read(ref r, file, headerStart) && r.TokenType == JsonTokenType.PropertyName)
        {
            long keyAt = headerStart + r.TokenStartIndex;
            string key = r.GetString()!;
            Read(ref r, file, headerStart);
            switch (key)
            {
                case "dtype" when dtype is null:
                    Expect(ref r, JsonTokenType.String, $"the dtype of '{name}' to be a string", file, headerStart);
                    dtype = r.GetString() switch
                    {
                        "F32" => SafeTensorDType.F32,
                        "F64" => SafeTensorDType.F64,
                        "I64" => SafeTensorDType.I64,
                        var other => throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex,
                            $"tensor '{name}' has dtype '{other}'; this reader supports F32, F64 and I64."),
                    };
                    break;
                case "shape" when shape is null:
                    shape = ReadInts(ref r, $"the shape of '{name}'", file, headerStart, maxCount: MaxRank, int.MaxValue).Select(x => (int)x).ToArray();
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadInts(ref r, $"the data_offsets of '{name}'", file, headerStart, maxCount: 2, long.MaxValue);
                    if (offsets.Length != 2)
                        throw new CheckpointFormatException(file, keyAt, $"data_offsets of '{name}' has {offsets.Length} numbers; expected [begin, end].");
                    break;
                default:
                    throw new CheckpointFormatException(file, keyAt, $"tensor '{name}' has an unexpected or repeated key '{key}' (expected dtype, shape, data_offsets once each).");
            }
        }
        Expect(ref r, JsonTokenType.EndObject, $"a key or the end of tensor '{name}'", file, headerStart);
        if (dtype is null || shape is null || offsets is null)
            throw new CheckpointFormatException(file, at, $"tensor '{name}' lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}.");

        long elements = 1;
        foreach (int d in shape)
        {
            elements *= d;   // ≤ Array.MaxLength · int.MaxValue: no overflow
            if (elements > Array.MaxLength)
                throw new CheckpointFormatException(file, at, $"tensor '{name}' has shape [{string.Join(", ", shape)}], more than the {Array.MaxLength} elements a tensor holds.");
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
            throw new CheckpointFormatException(file, at, $"tensor '{name}' has data_offsets [{begin}, {end}]; expected begin ≤ end.");
        long need = SafeTensor.SizeOf(dtype.Value);
        foreach (int d in shape)
        {
            need = d == 0 ? 0 : need <= long.MaxValue / d ? need * d : -1;
            if (need < 0) break;
        }
        if (need != end - begin)
            throw new CheckpointFormatException(file, at,
                $"tensor '{name}' spans {end - begin} bytes ([{begin}, {end}]) but shape [{string.Join(", ", shape)}] of {dtype} needs {(need < 0 ? "more than 2^63" : need.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes.");
        return new Entry(name, dtype.Value, shape, begin, end, at);
    }

    private static long[] ReadInts(ref Utf8JsonReader r, string what, string file, long headerStart, int maxCount, long max)
    {
        Expect(ref r, JsonTokenType.StartArray, $"{what} to be an array of integers", file, headerStart);
        var values = new List<long>();
        while (Read(ref r, file, headerStart) && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out long v) || v < 0 || v > max)
                throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, $"expected {what} to hold integers in [0, {max}].");
            if (values.Count == maxCount)
                throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, $"{what} has more than {maxCount} entries.");
            values.Add(v);
        }
        return values.ToArray();
    }

    private static bool Read(ref Utf8JsonReader r, string file, long headerStart)
    {
        if (r.Read()) return true;
        throw new CheckpointFormatException(file, headerStart + r.BytesConsumed, "the header JSON ends early.");
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type, string what, string file, long headerStart)
    {
        if (r.TokenType != type)
            throw new CheckpointFormatException(file, headerStart + r.TokenStartIndex, $"expected {what}, found {Describe(ref r)}.");
    }

    private static string Describe(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String or JsonTokenType.PropertyName => $"{r.TokenType} \"{Encoding.UTF8.GetString(r.ValueSpan[..Math.Min(r.ValueSpan.Length, 40)])}\"",
        _ => r.TokenType.ToString(),
    };
}
