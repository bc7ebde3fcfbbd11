using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Models;
using SeqLearn.Tests.Checkpoints;

namespace SeqLearn.Tests.Classification;

/// <summary>A classifier checkpoint whose vocabulary is ill-typed or does not fit its model is a format error naming the manifest.</summary>
public class RecurrentSentenceClassifierLoadTests
{
    // A model of 4 + 2 embedding rows and 2 outputs, saved with its vocabulary after edit changed it.
    private static string Saved(TempDir dir, Action<JsonObject> edit)
    {
        var model = new RecurrentClassifierOptions(Embedding: 3, Hidden: 2).Build(6, 2);
        var vocabulary = new JsonObject
        {
            ["type"] = "sentence_classifier", ["words"] = new JsonArray("a", "b", "c", "d"), ["classes"] = new JsonArray("neg", "pos"),
            ["pad_id"] = 0, ["unk_id"] = 1,
        };
        edit(vocabulary);
        string path = dir.Combine("c");
        ModelCheckpoint.Save(path, model, vocabulary);
        return path;
    }

    [Fact]
    public void Load_TheVocabularyItWasSavedWith_Loads()
    {
        using var dir = new TempDir("classifier-load-ok");
        var loaded = RecurrentSentenceClassifier.Load(Saved(dir, _ => { }));
        Assert.Equal(["neg", "pos"], loaded.ClassNames);
        Assert.Equal(4, loaded.Words.Count);
    }

    // A field of another JSON type, or a vocabulary that does not fit the model (4 + 2 embedding rows, 2 outputs).
    public static TheoryData<string, string> Bad => new()
    {
        { "pad_id=\"0\"", "'vocabulary.pad_id' must be an integer" },
        { "pad_id=0.5", "'vocabulary.pad_id' must be an integer" },
        { "pad_id=true", "'vocabulary.pad_id' must be an integer" },
        { "pad_id=1e12", "'vocabulary.pad_id' must be an integer" },
        { "pad_id=1000000000000", "pad_id and unk_id must be 0 and 1" },
        { "unk_id=\"1\"", "'vocabulary.unk_id' must be an integer" },
        { "words=[\"a\",5,\"c\",\"d\"]", "'vocabulary.words[1]' must be a string" },
        { "classes={}", "'vocabulary.classes' must be an array" },
        { "classes=[\"neg\",\"pos\",\"mixed\"]", "holds 3 class names, the model's output layer has 2 outputs" },
        { "classes=[\"neg\"]", "holds 1 class names, the model's output layer has 2 outputs" },
        { "classes=[\"pos\",\"pos\"]", "names the class 'pos' twice" },
        { "words=[\"a\",\"b\",\"c\"]", "holds 3 words (ids 2 to 4), the model's embedding has 6 rows" },
        { "words=[\"a\",\"b\",\"c\",\"d\",\"e\"]", "holds 5 words (ids 2 to 6), the model's embedding has 6 rows" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Load_VocabularyOfTheWrongJsonTypeOrNotFittingTheModel_IsAFormatErrorNamingTheManifestAndTheField(string change, string expected)
    {
        using var dir = new TempDir("classifier-load-typed");
        int eq = change.IndexOf('=');
        string path = Saved(dir, v => v[change[..eq]] = JsonNode.Parse(change[(eq + 1)..]));
        var e = Assert.Throws<CheckpointFormatException>(() => RecurrentSentenceClassifier.Load(path));
        Assert.StartsWith(Path.Combine(path, Checkpoint.ManifestFileName) + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
