using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Translation;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// A checkpoint vocabulary that cannot be read, on <c>train --resume</c> and <c>translate --checkpoint</c>: one
/// <c>error:</c> line naming DIR/checkpoint.json and the field, with no internal type name or parameter suffix.
/// </summary>
public class CheckpointVocabularyCliTests
{
    public static TheoryData<string, string, string> LanguageModelVocabularies => new()
    {
        { "kind", "\"x\"", "kind 'x' is neither 'char' nor 'word'" },
        { "withUnk", "\"yes\"", "\"withUnk\" must be true or false" },
        { "scalars", "[97, \"b\"]", "\"scalars\"[1] must be an integer" },
        { "scalars", "[97, 97]", "Symbol U+0061 appears twice" },
    };

    [Theory]
    [MemberData(nameof(LanguageModelVocabularies))]
    public void TrainResume_BadVocabularyField_OneErrorLineNamingTheManifestAndTheField(string key, string value, string expected)
    {
        using var tmp = new TempDir("cli-resume-vocabulary");
        string corpus = tmp.Combine("c.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 20)));
        string[] tiny = ["--batch", "2", "--bptt", "4", "--embedding", "4", "--hidden", "8", "--threads", "1", "--sample", "0"];
        var (code, _, error) = Run(["train", "--corpus", corpus, "--max-steps", "2", "--checkpoint", tmp.Combine("run"), .. tiny]);
        Assert.True(code == 0, error);
        string manifest = Path.Combine(tmp.Combine("run"), "last", Checkpoint.ManifestFileName);
        var root = JsonNode.Parse(File.ReadAllText(manifest))!;
        root["vocabulary"]![key] = JsonNode.Parse(value);
        File.WriteAllText(manifest, root.ToJsonString());
        ManifestSeal.Reseal(manifest);

        string line = AssertOneErrorLine(Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "4", .. tiny]), manifest + ": ");
        Assert.Contains(expected, line);
        Assert.DoesNotContain("Dto", line);
        Assert.DoesNotContain("(Parameter", line);
    }

    /// <summary>A corpus with a character the resumed checkpoint's vocabulary lacks: file, character and checkpoint, no parameter suffix.</summary>
    [Fact]
    public void TrainResume_CorpusCharacterOutsideTheVocabulary_OneCleanErrorLine()
    {
        using var tmp = new TempDir("cli-resume-unknown-character");
        string corpus = tmp.Combine("c.txt"), other = tmp.Combine("e.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 20)));
        File.WriteAllText(other, string.Concat(Enumerable.Repeat("the cat sat on the mat€\n", 20)));
        string[] tiny = ["--batch", "2", "--bptt", "4", "--embedding", "4", "--hidden", "8", "--threads", "1", "--sample", "0"];
        var (code, _, error) = Run(["train", "--corpus", corpus, "--max-steps", "2", "--checkpoint", tmp.Combine("run"), .. tiny]);
        Assert.True(code == 0, error);
        string manifest = Path.Combine(tmp.Combine("run"), "last", Checkpoint.ManifestFileName);
        Assert.Equal($"error: {other}: Character '€' (U+20AC) is not in the vocabulary and it has no <unk> (the vocabulary of the checkpoint being resumed, {manifest}).",
            AssertOneErrorLine(Run(["train", "--corpus", other, "--resume", tmp.Combine("run"), "--max-steps", "4", .. tiny]), "U+20AC"));
    }

    [Theory]
    [InlineData("[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"va\",\"va\"]", "Token 'va' appears twice")]
    [InlineData("{}", "'target' is missing or not an array")]
    public void TranslateCheckpoint_BadVocabulary_OneErrorLineNamingTheManifest(string target, string expected)
    {
        using var tmp = new TempDir("cli-translate-vocabulary");
        var model = new Seq2Seq<float>(new Seq2SeqConfig(6, 6, EmbeddingSize: 3, HiddenSize: 3), new SeededRng(1));
        var vocabulary = Seq2SeqTranslator.VocabulariesToJson(
            new TranslationVocabulary(["<pad>", "<unk>", "<bos>", "<eos>", "go", "run"]), new TranslationVocabulary(["<pad>", "<unk>", "<bos>", "<eos>", "va", "cours"]));
        vocabulary["target"] = JsonNode.Parse(target);
        string path = tmp.Combine("t");
        ModelCheckpoint.Save(path, model, vocabulary);

        string line = AssertOneErrorLine(Run("translate", "--checkpoint", path, "go"), Path.Combine(path, Checkpoint.ManifestFileName) + ": ");
        Assert.Contains(expected, line);
        Assert.DoesNotContain("(Parameter", line);
    }
}
