using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>A translation checkpoint whose vocabulary is ill-typed or refused is a format error naming the manifest and the field.</summary>
public class Seq2SeqTranslatorLoadTests
{
    private static readonly string[] Specials = ["<pad>", "<unk>", "<bos>", "<eos>"];

    // A model for 4 + 2 source and 4 + 2 target tokens, saved with its vocabulary after edit changed it.
    private static string Saved(TempDir dir, Action<JsonObject> edit)
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(6, 6, EmbeddingSize: 3, HiddenSize: 3), new SeededRng(1));
        var vocabulary = Seq2SeqTranslator.VocabulariesToJson(new TranslationVocabulary([.. Specials, "go", "run"]), new TranslationVocabulary([.. Specials, "va", "cours"]));
        edit(vocabulary);
        string path = dir.Combine("t");
        ModelCheckpoint.Save(path, model, vocabulary);
        return path;
    }

    [Fact]
    public void Load_TheVocabulariesItWasSavedWith_Loads()
    {
        using var dir = new TempDir("translator-load-ok");
        Assert.Equal(6, Seq2SeqTranslator.LoadModel(Saved(dir, _ => { })).Target.Count);
    }

    /// <summary>The description names the attention as the --attention flag spells it.</summary>
    [Theory]
    [InlineData(AttentionKind.Bahdanau, "attention bahdanau")]
    [InlineData(AttentionKind.LuongGeneral, "attention luong-general")]
    [InlineData(AttentionKind.None, "attention none")]
    public void Description_NamesTheAttentionAsTheFlagSpellsIt(AttentionKind attention, string expected)
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(6, 6, EmbeddingSize: 3, HiddenSize: 3, Attention: attention), new SeededRng(1));
        var source = new TranslationVocabulary([.. Specials, "go", "run"]);
        var target = new TranslationVocabulary([.. Specials, "va", "cours"]);
        Assert.StartsWith($"seq2seq (gru, {expected}), beam 5", new Seq2SeqTranslator(model, source, target, new DecodingOptions()).Description);
    }

    public static TheoryData<string, string> Bad => new()
    {
        { "kind=5", "vocabulary field 'kind' is not the string \"translation\"" },
        { "kind=\"words\"", "vocabulary field 'kind' is not the string \"translation\"" },
        { "source=\"go\"", "vocabulary field 'source' is missing or not an array" },
        { "target=[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"va\",7]", "vocabulary entry 'target[5]' is not a string" },
        { "target=[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"va\",\"va\"]", "vocabulary 'target': Token 'va' appears twice" },
        { "target=[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"va\"]", "the vocabularies hold 6 (source) and 5 (target) tokens, the model was built for 6 and 6" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Load_BadVocabulary_IsAFormatErrorNamingTheManifestAndTheField(string change, string expected)
    {
        using var dir = new TempDir("translator-load-bad");
        int eq = change.IndexOf('=');
        string path = Saved(dir, v => v[change[..eq]] = JsonNode.Parse(change[(eq + 1)..]));
        var e = Assert.Throws<CheckpointFormatException>(() => Seq2SeqTranslator.Load(path));
        Assert.StartsWith(Path.Combine(path, Checkpoint.ManifestFileName) + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("(Parameter", e.Message);
    }
}
