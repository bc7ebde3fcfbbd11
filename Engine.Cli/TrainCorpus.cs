using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Text;

namespace SeqLearn.Cli;

/// <summary>Tokenisation level of <c>seqlearn train</c>.</summary>
public enum TextLevel
{
    /// <summary>One token per Unicode character; vocabulary = the sorted distinct characters.</summary>
    Char,
    /// <summary>Whitespace words with &lt;eos&gt; after each line and &lt;unk&gt;.</summary>
    Word,
}

/// <summary>A tokenised corpus for <c>seqlearn train</c>: the vocabulary, its JSON for checkpoints, and the two id streams.</summary>
/// <param name="Vocabulary">The vocabulary the ids refer to.</param>
/// <param name="VocabularyJson">Its checkpoint form (<see cref="Text.VocabularyJson"/>).</param>
/// <param name="Train">The training stream.</param>
/// <param name="Valid">The validation stream.</param>
/// <param name="Source">Where the text came from, for the summary line.</param>
public sealed record TrainCorpus(IVocabulary Vocabulary, JsonNode VocabularyJson, int[] Train, int[] Valid, string Source)
{
    /// <summary>Prefix of the embedded default corpus's resource names (the project's own C# sources).</summary>
    public const string EmbeddedPrefix = "corpus/";

    /// <summary>
    /// Loads one file and splits it contiguously by tokens: train = the first ⌊(1 − f)·n⌋, valid = the rest.
    /// A null <paramref name="path"/> means the embedded default corpus. <paramref name="stored"/> (from a checkpoint
    /// being resumed) replaces building a new vocabulary.
    /// </summary>
    public static TrainCorpus FromOneText(string? path, double validFraction, TextLevel level, JsonNode? stored, string? storedFrom = null)
    {
        if (!(validFraction > 0 && validFraction < 1)) throw new ArgumentException($"--valid-fraction must be in (0, 1), got {validFraction}.");
        string text = path is null ? EmbeddedSources() : ReadText(path);
        string source = path ?? "the embedded SeqLearn sources (Engine/**/*.cs)";
        bool words = stored is null ? level == TextLevel.Word : IsWordVocabulary(stored);
        if (words)
        {
            // Words: split by lines, the vocabulary from the training lines only, so validation words never seen in
            // training are <unk> there, as they would be on new text.
            string[] lines = TextFile.SplitLines(text);
            int cut = (int)Math.Floor((1 - validFraction) * lines.Length);
            if (cut < 1 || cut >= lines.Length) throw new ArgumentException($"{source}: {lines.Length} lines cannot be split by --valid-fraction {validFraction}.");
            var (wordVocab, wordJson) = stored is null ? Build(level, string.Join('\n', lines[..cut])) : Restore(stored, storedFrom);
            var w = (WordVocabulary)wordVocab;
            return new TrainCorpus(wordVocab, wordJson, w.EncodeLines(lines[..cut]), w.EncodeLines(lines[cut..]), source);
        }
        var (vocab, json) = stored is null ? Build(level, text) : Restore(stored, storedFrom);
        int[] ids = Encode(vocab, text, source, storedFrom);
        int train = (int)Math.Floor((1 - validFraction) * ids.Length);
        return new TrainCorpus(vocab, json, ids[..train], ids[train..], source);
    }

    /// <summary>Loads separate train and validation files; the vocabulary is built from both (char) or from train (word).</summary>
    public static TrainCorpus FromTwoTexts(string trainPath, string validPath, TextLevel level, JsonNode? stored, string? storedFrom = null)
    {
        string train = ReadText(trainPath), valid = ReadText(validPath);
        var (vocab, json) = stored is not null ? Restore(stored, storedFrom) : Build(level, level == TextLevel.Char ? train + valid : train);
        return new TrainCorpus(vocab, json, Encode(vocab, train, trainPath, storedFrom), Encode(vocab, valid, validPath, storedFrom), $"{trainPath} + {validPath}");
    }

    /// <summary>
    /// A corpus file with CRLF line ends read as LF: <c>eval</c> and the evaluator read text as lines (a line's trailing
    /// CR dropped), so a character model must not learn CR as a symbol of its own.
    /// </summary>
    public static string ReadText(string path) => TextFile.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The embedded default corpus: every Engine/**/*.cs file, concatenated in ordinal order of their paths.</summary>
    public static string EmbeddedSources()
    {
        var assembly = typeof(TrainCorpus).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (string name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing resource {name}");
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
            text.Append(reader.ReadToEnd().ReplaceLineEndings("\n"));
        }
        if (text.Length == 0) throw new InvalidOperationException("the CLI was built without its embedded corpus.");
        return text.ToString();
    }

    private static (IVocabulary, JsonNode) Build(TextLevel level, string text)
    {
        if (level == TextLevel.Char)
        {
            var chars = CharVocabulary.Build(text);
            return (chars, JsonNode.Parse(Text.VocabularyJson.ToJson(chars))!);
        }
        var words = WordVocabulary.Build(TextFile.SplitLines(text));
        return (words, JsonNode.Parse(Text.VocabularyJson.ToJson(words))!);
    }

    // A resumed run uses the checkpoint's vocabulary, whatever --level says (its "kind" decides), read as generate reads it;
    // a vocabulary the checkpoint cannot hold is an error naming its manifest (storedFrom).
    private static (IVocabulary, JsonNode) Restore(JsonNode stored, string? storedFrom)
    {
        try { return (LanguageModelCheckpoint.VocabularyFromJson(stored), stored); }
        catch (TextFormatException e) when (storedFrom is not null) { throw new CheckpointFormatException(storedFrom, null, e.Message.TrimEnd('.'), e); }
    }

    /// <summary>True when a checkpoint's vocabulary is a word vocabulary (its <c>kind</c> is <c>word</c>).</summary>
    public static bool IsWordVocabulary(JsonNode? stored) =>
        stored is JsonObject o && o["kind"] is JsonValue k && k.TryGetValue(out string? kind) && kind == "word";

    // Characters: every scalar value (an unknown one is an error naming it, the file, and the checkpoint whose vocabulary
    // is used, if any). Words: lines with <eos>, unknown → <unk>.
    private static int[] Encode(IVocabulary vocab, string text, string source, string? storedFrom)
    {
        if (vocab is WordVocabulary words) return words.EncodeLines(TextFile.SplitLines(text));
        try { return vocab.Encode(text); }
        catch (ArgumentException e) when (storedFrom is not null)
        {
            throw new ArgumentException($"{source}: {CliGuard.MessageForUser(e).TrimEnd('.')} (the vocabulary of the checkpoint being resumed, {storedFrom}).", e);
        }
    }
}
