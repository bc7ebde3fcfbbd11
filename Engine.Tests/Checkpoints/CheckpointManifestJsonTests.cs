using System.Text;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>
/// checkpoint.json is checked as a whole before it is read: a key repeated in any object, or invalid UTF-8 anywhere
/// (also inside the caller's model_config or vocabulary, which the JSON tree reads lazily), is a format error at the
/// byte offset. Found by the reader fuzzer, where both crashed <see cref="LanguageModelCheckpoint.Load"/> with
/// ArgumentException / InvalidOperationException.
/// </summary>
public class CheckpointManifestJsonTests
{
    private static string SaveModel(TempDir dir)
    {
        var vocabulary = CharVocabulary.Build("abc\n");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocabulary.Count, 3, 4, 1, RecurrentCell.Gru), new SeededRng(4));
        string path = dir.Combine("ckpt");
        LanguageModelCheckpoint.Save(path, model, vocabulary, step: 5);
        return path;
    }

    [Theory]
    [InlineData("\"hidden_size\": 4,", "\"hidden_size\": 4, \"hidden_size\": 4,", "the key 'hidden_size' appears twice in one object")]
    [InlineData("\"kind\": \"char\"", "\"kind\": \"char\", \"kind\": \"char\"", "the key 'kind' appears twice in one object")]
    public void RepeatedKeyInsideModelConfigOrVocabulary_IsAFormatErrorAtTheKey(string find, string replace, string expected)
    {
        using var dir = new TempDir("ckpt-json");
        string path = SaveModel(dir);
        string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
        string json = File.ReadAllText(manifest);
        Assert.Contains(find, json);
        string edited = ReplaceFirst(json, find, replace);
        File.WriteAllText(manifest, edited);
        long offset = Encoding.UTF8.GetByteCount(edited[..edited.LastIndexOf(replace.Split(',')[1].Trim(), StringComparison.Ordinal)]);
        foreach (Action load in new Action[] { () => LanguageModelCheckpoint.Load(path), () => Checkpoint.Load<float>(path) })
        {
            var e = Assert.Throws<CheckpointFormatException>(load);
            Assert.Equal($"{manifest} at byte {offset}: {expected}.", e.Message);
        }
    }

    [Fact]
    public void InvalidUtf8InsideTheVocabulary_IsAFormatErrorAtTheByte()
    {
        using var dir = new TempDir("ckpt-utf8");
        string path = SaveModel(dir);
        string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
        byte[] bytes = File.ReadAllBytes(manifest);
        int at = Encoding.UTF8.GetString(bytes).IndexOf("\"char\"", StringComparison.Ordinal) + 2;
        bytes[at] = 0xED; // "c" → the start of a surrogate sequence, invalid in UTF-8
        File.WriteAllBytes(manifest, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(path));
        Assert.StartsWith($"{manifest} at byte {at}: not valid UTF-8", e.Message);
        Assert.Equal(at, e.Offset);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        int i = text.IndexOf(find, StringComparison.Ordinal);
        return text[..i] + replace + text[(i + find.Length)..];
    }
}
