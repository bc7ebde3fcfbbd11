using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeqLearn.Text;

/// <summary>
/// JSON form of the vocabularies for checkpoints (System.Text.Json):
/// <c>{"kind":"word","tokens":[...],"scalars":null,"withUnk":false}</c> or <c>{"kind":"char","tokens":null,"scalars":[...],"withUnk":false}</c>
/// (docs/text.md).
/// Characters are stored as scalar values so that any symbol survives regardless of escaping.
/// </summary>
public static class VocabularyJson
{
    private sealed record Dto(string Kind, string[]? Tokens, int[]? Scalars, bool WithUnk);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Serialises a word vocabulary.</summary>
    public static string ToJson(WordVocabulary vocab)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        return JsonSerializer.Serialize(new Dto("word", vocab.Tokens.ToArray(), null, false), Options);
    }

    /// <summary>Serialises a character vocabulary.</summary>
    public static string ToJson(CharVocabulary vocab)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        bool withUnk = vocab.UnkId >= 0;
        int[] scalars = vocab.Symbols.Skip(withUnk ? 1 : 0).Select(r => r.Value).ToArray();
        return JsonSerializer.Serialize(new Dto("char", null, scalars, withUnk), Options);
    }

    /// <summary>Reads a word vocabulary written by <see cref="ToJson(WordVocabulary)"/>: "kind" and "tokens"; other keys ("scalars", "withUnk", unknown ones) are ignored.</summary>
    public static WordVocabulary WordFromJson(string json)
    {
        var o = Parse(json, "word");
        var tokens = o["tokens"] is null ? throw new TextFormatException("Word vocabulary JSON has no \"tokens\".")
            : Array(o, "tokens", (x, i) => x is null ? null! : x is JsonValue v && v.TryGetValue(out string? t) ? t : throw Field($"\"tokens\"[{i}] must be a string"));
        try { return new WordVocabulary(tokens); }
        catch (ArgumentException e) { throw Invalid("Word", e); }   // a token twice, null, empty or with white space; no <unk> or <eos>
    }

    /// <summary>Reads a character vocabulary written by <see cref="ToJson(CharVocabulary)"/>: "kind", "scalars" and "withUnk" (absent = false); other keys ("tokens", unknown ones) are ignored.</summary>
    public static CharVocabulary CharFromJson(string json)
    {
        var o = Parse(json, "char");
        var scalars = o["scalars"] is null ? throw new TextFormatException("Character vocabulary JSON has no \"scalars\".")
            : Array(o, "scalars", (x, i) => x is JsonValue v && v.TryGetValue(out long s) ? s : throw Field($"\"scalars\"[{i}] must be an integer"));
        foreach (long s in scalars)
            if (s is < 0 or > 0x10FFFF || !Rune.IsValid((int)s)) throw new TextFormatException($"Character vocabulary JSON: {s} is not a Unicode scalar value.");
        bool withUnk = o["withUnk"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue(out bool b) => b,
            _ => throw Field("\"withUnk\" must be true or false"),
        };
        try { return new CharVocabulary(scalars.Select(s => new Rune((int)s)).ToArray(), withUnk); }
        catch (ArgumentException e) { throw Invalid("Character", e); }   // a symbol twice
    }

    // The vocabulary's own check, reported as a format error of the JSON.
    private static TextFormatException Invalid(string kind, ArgumentException e) => new($"{kind} vocabulary JSON: {Checks.MessageWithoutParameter(e)}");

    // A field of the wrong JSON type, named by its key.
    private static TextFormatException Field(string problem) => new($"Vocabulary JSON: {problem}.");

    // The array under key, each entry read by entry (which throws for one of the wrong type).
    private static TItem[] Array<TItem>(JsonObject o, string key, Func<JsonNode?, int, TItem> entry) =>
        o[key] is JsonArray a ? [.. a.Select(entry)] : throw Field($"\"{key}\" must be an array");

    // The object, with its kind checked. Each reader checks the type of the keys it reads and ignores the others.
    private static JsonObject Parse(string json, string kind)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new TextFormatException($"Vocabulary JSON is malformed: {e.Message}"); }
        if (root is not JsonObject o) throw Field($"expected an object with \"kind\": \"{kind}\"");
        if (o["kind"] is not JsonValue k || !k.TryGetValue(out string? found)) throw Field($"\"kind\" must be the string \"{kind}\"");
        if (found != kind) throw new TextFormatException($"Vocabulary JSON: expected kind \"{kind}\", found \"{found}\".");
        return o;
    }
}
