using System.Text.Json;
using SeqLearn.Text;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Checks a whole JSON document before it is turned into a tree: valid UTF-8 and no key repeated in any object.
/// <see cref="System.Text.Json.Nodes.JsonNode"/> materialises objects lazily, so without this a bad string or a
/// repeated key deep inside a caller's object would surface only when the caller reads it, as an exception that
/// names neither the file nor the place.
/// </summary>
internal static class JsonStructureCheck
{
    /// <summary>The first problem and its byte offset, or null (syntax errors are left to the parser, which reports them).</summary>
    public static (long Offset, string Problem)? FirstProblem(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (TextFile.FindInvalidUtf8(json) is { } bad)
            return (bad.Offset, $"not valid UTF-8 (line {bad.Line}, byte {bad.Column} of that line, 0x{bad.Value:X2}).");
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        string key = reader.GetString()!;
                        if (!keys.Peek().Add(key)) return (reader.TokenStartIndex, $"the key '{key}' appears twice in one object.");
                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        reader.GetString();   // an escaped lone surrogate (\uD800) throws here, not later in a caller's accessor
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on an escape that is not valid UTF-16 (a lone surrogate).
            return (reader.TokenStartIndex, $"a string is not valid Unicode once unescaped: {e.Message}");
        }
        return null;
    }
}
