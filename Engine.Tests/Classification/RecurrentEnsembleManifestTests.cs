using System.Text;
using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Tests.Checkpoints;

namespace SeqLearn.Tests.Classification;

public class RecurrentEnsembleManifestTests
{
    // The error's byte offset counts from the start of the file, not of its line.
    [Fact]
    public void Load_MalformedManifestOnItsThirdLine_ReportsTheAbsoluteByteOffset()
    {
        using var dir = new TempDir("ensemble-json-offset");
        string manifest = dir.Combine(RecurrentEnsembleClassifier.ManifestFileName);
        string text = "{\n  \"type\": \"recurrent_ensemble\",\n  \"members\": 2,,\n}\n";
        File.WriteAllText(manifest, text);
        var e = Assert.Throws<CheckpointFormatException>(() => RecurrentEnsembleClassifier.Load(dir.Path));
        long comma = Encoding.UTF8.GetByteCount(text[..text.IndexOf(",,", StringComparison.Ordinal)]) + 1;   // the second comma
        Assert.Equal(manifest, e.File);
        Assert.Equal(comma, e.Offset);
        Assert.StartsWith($"{manifest} at byte {comma}: not valid JSON", e.Message);
    }
    // A repeated key is refused at the byte where it repeats, as one in checkpoint.json is.
    [Theory]
    [InlineData("{\"type\": \"recurrent_ensemble\",\n \"type\": \"recurrent_ensemble\", \"members\": 2}", "\"type\": \"recurrent_ensemble\", \"members\"", "the key 'type' appears twice")]
    [InlineData("{\"type\": \"recurrent_ensemble\", \"members\": 2, \"members\": 2}", "\"members\": 2}", "the key 'members' appears twice")]
    public void Load_ManifestWithARepeatedKey_NamesItsByteOffset(string text, string at, string problem)
    {
        using var dir = new TempDir("ensemble-json-duplicate");
        string manifest = dir.Combine(RecurrentEnsembleClassifier.ManifestFileName);
        File.WriteAllText(manifest, text);
        var e = Assert.Throws<CheckpointFormatException>(() => RecurrentEnsembleClassifier.Load(dir.Path));
        long offset = Encoding.UTF8.GetByteCount(text[..text.LastIndexOf(at, StringComparison.Ordinal)]);
        Assert.Equal(manifest, e.File);
        Assert.Equal(offset, e.Offset);
        Assert.StartsWith($"{manifest} at byte {offset}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    // Members saved apart with other classes: the error names the manifest and says why, without .NET's parameter suffix.
    [Fact]
    public void Load_MembersWithDifferentClasses_IsAFormatErrorWithoutTheParameterSuffix()
    {
        using var dir = new TempDir("ensemble-classes");
        var small = new RecurrentClassifierOptions(Embedding: 8, Hidden: 8, Dropout: 0, WordDropout: 0);
        new RecurrentSentenceClassifier(small.Build(vocabulary: 5, classes: 2), ["good", "bad", "film"], ["neg", "pos"]).Save(dir.Combine("member0"));
        new RecurrentSentenceClassifier(small.Build(vocabulary: 5, classes: 2), ["good", "bad", "film"], ["no", "yes"]).Save(dir.Combine("member1"));
        string manifest = dir.Combine(RecurrentEnsembleClassifier.ManifestFileName);
        File.WriteAllText(manifest, "{\"type\": \"recurrent_ensemble\", \"members\": 2}");
        var e = Assert.Throws<CheckpointFormatException>(() => RecurrentEnsembleClassifier.Load(dir.Path));
        Assert.Equal(manifest, e.File);
        Assert.Contains("the members have different classes", e.Message);
        Assert.DoesNotContain("Parameter", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
    }
}
