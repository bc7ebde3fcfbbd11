using System.Text;
using System.Text.Json;

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
    public static string ToJson(WordVocabulary vocab) =>
        JsonSerializer.Serialize(new Dto("word", vocab.Tokens.ToArray(), null, false), Options);

    /// <summary>Serialises a character vocabulary.</summary>
    public static string ToJson(CharVocabulary vocab)
    {
        bool withUnk = vocab.UnkId >= 0;
        int[] scalars = vocab.Symbols.Skip(withUnk ? 1 : 0).Select(r => r.Value).ToArray();
        return JsonSerializer.Serialize(new Dto("char", null, scalars, withUnk), Options);
    }

    /// <summary>Reads a word vocabulary written by <see cref="ToJson(WordVocabulary)"/>.</summary>
    public static WordVocabulary WordFromJson(string json)
    {
        Dto dto = Parse(json, "word");
        var tokens = dto.Tokens ?? throw new TextFormatException("Word vocabulary JSON has no \"tokens\".");
        try { return new WordVocabulary(tokens); }
        catch (ArgumentException e) { throw Invalid("Word", e); }   // a token twice, null, empty or with white space; no <unk> or <eos>
    }

    /// <summary>Reads a character vocabulary written by <see cref="ToJson(CharVocabulary)"/>.</summary>
    public static CharVocabulary CharFromJson(string json)
    {
        Dto dto = Parse(json, "char");
        int[] scalars = dto.Scalars ?? throw new TextFormatException("Character vocabulary JSON has no \"scalars\".");
        foreach (int s in scalars)
            if (!Rune.IsValid(s)) throw new TextFormatException($"Character vocabulary JSON: {s} is not a Unicode scalar value.");
        try { return new CharVocabulary(scalars.Select(s => new Rune(s)).ToArray(), dto.WithUnk); }
        catch (ArgumentException e) { throw Invalid("Character", e); }   // a symbol twice
    }

    // The vocabulary's own check, reported as a format error of the JSON.
    private static TextFormatException Invalid(string kind, ArgumentException e) => new($"{kind} vocabulary JSON: {Checks.MessageWithoutParameter(e)}");

    private static Dto Parse(string json, string kind)
    {
        Dto? dto;
        try { dto = JsonSerializer.Deserialize<Dto>(json, Options); }
        catch (JsonException e) { throw new TextFormatException($"Vocabulary JSON is malformed: {e.Message}"); }
        if (dto is null || dto.Kind != kind)
            throw new TextFormatException($"Vocabulary JSON: expected kind \"{kind}\", found \"{dto?.Kind}\".");
        return dto;
    }
}
