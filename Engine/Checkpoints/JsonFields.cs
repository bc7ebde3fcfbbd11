using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Typed reads of the fields of a checkpoint's JSON: a missing field or one of another JSON kind is a
/// <see cref="CheckpointFormatException"/> naming the file and the field (a prefix and the key, e.g.
/// <c>vocabulary.pad_id</c>), never the <see cref="InvalidOperationException"/> of <see cref="JsonNode"/>'s casts.
/// </summary>
internal static class JsonFields
{
    public static string Str(JsonObject o, string key, string file, string prefix = "") =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad(file, $"'{prefix}{key}' must be a string.");

    public static long Int(JsonObject o, string key, string file, string prefix = "") =>
        o[key] is JsonValue v && v.TryGetValue(out long x) ? x : throw Bad(file, $"'{prefix}{key}' must be an integer.");

    public static double Num(JsonObject o, string key, string file, string prefix = "") =>
        o[key] is JsonValue v && v.TryGetValue(out double x) && double.IsFinite(x) ? x : throw Bad(file, $"'{prefix}{key}' must be a finite number.");

    public static JsonObject Obj(JsonObject o, string key, string file, string prefix = "") =>
        o[key] as JsonObject ?? throw Bad(file, $"'{prefix}{key}' must be an object.");

    public static JsonArray Arr(JsonObject o, string key, string file, string prefix = "") =>
        o[key] as JsonArray ?? throw Bad(file, $"'{prefix}{key}' must be an array.");

    /// <summary>The strings of the array <paramref name="key"/>; anything else is an error naming the field (and the entry).</summary>
    public static string[] Strings(JsonObject o, string key, string file, string prefix = "") =>
        [.. Arr(o, key, file, prefix).Select((x, i) => x is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad(file, $"'{prefix}{key}[{i}]' must be a string."))];

    /// <summary>The absolute byte offset in <paramref name="bytes"/> of a JSON error, from its line number and position in that line.</summary>
    public static long? OffsetOf(byte[] bytes, JsonException e)
    {
        if (e.LineNumber is not long line || e.BytePositionInLine is not long col) return null;
        long start = 0;
        for (long l = 0; l < line; l++)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', (int)start);
            if (nl < 0) return null;
            start = nl + 1;
        }
        return start + col;
    }

    private static CheckpointFormatException Bad(string file, string problem) => new(file, null, problem);
}
