using System.Diagnostics;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;

namespace SeqLearn.Tests.Models;

/// <summary>A checkpoint's config is compared with its tensors before any model is built; its values must be finite.</summary>
public class CheckpointTensorCheckTests
{
    /// <summary>A small char-level checkpoint in <paramref name="dir"/>/ckpt; <paramref name="edit"/> changes its model_config.</summary>
    internal static string SmallCheckpoint(TempDir dir, Action<JsonObject>? edit = null, float? poison = null)
    {
        var vocab = CharVocabulary.Build("the cat sat\n");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3));
        if (poison is { } value) model.DecoderWeight.Value.Span[5] = value;
        string path = dir.Combine("ckpt");
        LanguageModelCheckpoint.Save(path, model, vocab);
        if (edit is not null)
        {
            string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
            var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
            edit(json["model_config"]!.AsObject());
            File.WriteAllText(manifest, json.ToJsonString());
            ManifestSeal.Reseal(manifest);   // a consistent hand-made manifest: the checks after the seal must catch it
        }
        return path;
    }

    [Theory]
    [InlineData("hidden_size", 20000)]
    [InlineData("num_layers", 100000)]
    [InlineData("embedding_size", 5000)]
    public void ConfigClaimingAHugeModel_FailsAtOnce_NamingTheFileAndTheField(string field, int value)
    {
        using var dir = new TempDir("ckpt-huge");
        string path = SmallCheckpoint(dir, c => c[field] = value);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(path));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains(Checkpoint.ManifestFileName, e.Message);
        Assert.Contains($"'{field}' is {value}", e.Message);
    }

    [Fact]
    public void CellGivenAsANumber_IsRejected()
    {
        using var dir = new TempDir("ckpt-cell");
        string path = SmallCheckpoint(dir, c => c["cell"] = "0");
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(path));
        Assert.Contains("unknown cell '0'", e.Message);
        var json = new LanguageModelConfig(5).ToJson();
        json["cell"] = "2";
        Assert.Throws<FormatException>(() => LanguageModelConfig.FromJson(json));
    }

    [Fact]
    public void CellThatDisagreesWithTheGates_IsNamed()
    {
        using var dir = new TempDir("ckpt-gru");
        string path = SmallCheckpoint(dir, c => c["cell"] = "gru");
        Assert.Contains("field 'cell' is 'gru'", Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(path)).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteWeights_AreRefusedNamingTheTensor(float value)
    {
        using var dir = new TempDir("ckpt-nan");
        string path = SmallCheckpoint(dir, poison: value);
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(path));
        Assert.Contains("tensor 'decoder.weight' holds a non-finite value", e.Message);
        Assert.Contains("flat index 5", e.Message);
    }

    [Fact]
    public void ValidCheckpoint_StillLoads()
    {
        using var dir = new TempDir("ckpt-ok");
        Assert.Equal(8, LanguageModelCheckpoint.Load(SmallCheckpoint(dir)).Model.Config.HiddenSize);
    }
}
