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
}
