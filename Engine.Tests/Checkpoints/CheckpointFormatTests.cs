using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>Format version 2: parameters alone in the weights file, optimizer buffers in their own, a sealed manifest; version 1 still read.</summary>
public class CheckpointFormatTests
{
    [Fact]
    public void Save_WeightsFileHoldsParametersOnly_OptimizerBuffersTheirOwnFile()
    {
        using var tmp = new TempDir("v2-layout");
        string dir = tmp.Combine("c");
        var saved = CheckpointTests.SaveSample(dir);
        Assert.Equal([Checkpoint.ManifestFileName, Checkpoint.OptimizerFileName, Checkpoint.WeightsFileName],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var weights = SafeTensorsFile.Read(Path.Combine(dir, Checkpoint.WeightsFileName));
        Assert.Equal(saved.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal), weights.Tensors.Select(t => t.Name));
        var optimizer = SafeTensorsFile.Read(Path.Combine(dir, Checkpoint.OptimizerFileName));
        // Adam: exp_avg and exp_avg_sq of the two parameters that had gradients; "unused" has no buffers yet.
        Assert.Equal(["optim.embedding.weight.exp_avg", "optim.embedding.weight.exp_avg_sq", "optim.out.bias.exp_avg", "optim.out.bias.exp_avg_sq"],
            optimizer.Tensors.Select(t => t.Name));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, Checkpoint.ManifestFileName)))!;
        Assert.Equal(2, (int)manifest["format_version"]!);
        byte[] optimizerBytes = File.ReadAllBytes(Path.Combine(dir, Checkpoint.OptimizerFileName));
        Assert.Equal(Checkpoint.OptimizerFileName, (string)manifest["optimizer"]!["file"]!);
        Assert.Equal(optimizerBytes.LongLength, (long)manifest["optimizer"]!["bytes"]!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(optimizerBytes)), (string)manifest["optimizer"]!["sha256"]!);
    }

    [Fact]
    public void Save_WithoutOptimizer_WritesNoOptimizerFile()
    {
        using var tmp = new TempDir("v2-noopt");
        Checkpoint.Save(tmp.Combine("c"), new CheckpointData<float> { Parameters = [new("w", Tensor<float>.Ones(2))] });
        Assert.False(File.Exists(Path.Combine(tmp.Combine("c"), Checkpoint.OptimizerFileName)));
        Assert.Null(Checkpoint.Load<float>(tmp.Combine("c")).Optimizer);
    }

    [Fact]
    public void Load_FormatVersion1Directory_ReadsTheSameCheckpoint()
    {
        using var tmp = new TempDir("v1");
        var saved = CheckpointTests.SaveSample(tmp.Combine("v2"));
        WriteVersion1Copy(tmp.Combine("v2"), tmp.Combine("v1"));
        Assert.False(File.Exists(Path.Combine(tmp.Combine("v1"), Checkpoint.OptimizerFileName)));

        var (a, b) = (Checkpoint.Load<float>(tmp.Combine("v2")), Checkpoint.Load<float>(tmp.Combine("v1")));
        Assert.Equal(a.Step, b.Step);
        Assert.Equal(saved.Parameters.Select(p => p.Name), b.Parameters.Select(p => p.Name));
        for (int i = 0; i < a.Parameters.Count; i++) TensorAssert.BitEqual<float>(a.Parameters[i].Tensor.Span, b.Parameters[i].Tensor.Span);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            var (x, y) = (a.Optimizer!.Parameters[i], b.Optimizer!.Parameters[i]);
            Assert.Equal(x.Step, y.Step);
            Assert.Equal(x.ExpAvg is null, y.ExpAvg is null);
            if (x.ExpAvg is not null) TensorAssert.BitEqual<float>(x.ExpAvgSq!.Span, y.ExpAvgSq!.Span);
        }
        Assert.Equal(a.RngStates["data"], b.RngStates["data"]);
        Assert.True(JsonNode.DeepEquals(a.TrainerState, b.TrainerState));
    }

    [Fact]
    public void Load_MissingOrUnlistedOptimizerFile_IsNamed()
    {
        using var tmp = new TempDir("v2-optfile");
        string dir = tmp.Combine("c");
        CheckpointTests.SaveSample(dir);
        string optimizer = Path.Combine(dir, Checkpoint.OptimizerFileName);
        byte[] bytes = File.ReadAllBytes(optimizer);
        File.Delete(optimizer);
        Assert.Contains(Checkpoint.OptimizerFileName, Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir)).Message);

        Checkpoint.Save(dir, new CheckpointData<float> { Parameters = [new("w", Tensor<float>.Ones(2))] });
        File.WriteAllBytes(optimizer, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir));
        Assert.Contains("records no optimizer", e.Message);
    }

    [Fact]
    public void EditedVocabularyEntry_IsRefusedAsAnEditedManifest()
    {
        using var tmp = new TempDir("edit-vocab");
        string dir = tmp.Combine("c");
        var vocab = CharVocabulary.Build("abc\n");
        LanguageModelCheckpoint.Save(dir, new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(1)), vocab);
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        string text = File.ReadAllText(manifest);
        Assert.Contains("98", text);                              // 'b' among the vocabulary's scalars
        File.WriteAllText(manifest, text.Replace("98", "120"));   // … becomes 'x'
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(dir));
        Assert.Contains(manifest, e.Message);
        Assert.Contains("manifest_sha256", e.Message);
        Assert.Contains("edited or corrupted", e.Message);
    }

    [Theory]
    [InlineData("char", "{\"kind\":\"char\",\"withUnk\":false,\"scalars\":[10,97,97,99]}", "appears twice")]
    [InlineData("word", "{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<eos>\",\"a\",\"a\"]}", "appears twice")]
    public void DuplicateVocabularyEntry_IsRefused_EvenWithAValidSeal(string level, string vocabulary, string expected)
    {
        using var tmp = new TempDir($"dup-{level}");
        string dir = tmp.Combine("c");
        var vocab = CharVocabulary.Build("abc\n");   // 4 symbols, like both vocabularies above
        LanguageModelCheckpoint.Save(dir, new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(1)), vocab);
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["vocabulary"] = JsonNode.Parse(vocabulary);
        File.WriteAllText(manifest, json.ToJsonString());
        ManifestSeal.Reseal(manifest);
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(dir));
        Assert.Contains(expected, e.Message);
        Assert.Contains(Checkpoint.ManifestFileName, e.Message);
    }

    [Fact]
    public void ManifestAboveTheCap_IsRefusedBeforeItIsRead()
    {
        using var tmp = new TempDir("manifest-cap");
        string dir = tmp.Combine("c");
        CheckpointTests.SaveSample(dir);
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        using (var f = new FileStream(manifest, FileMode.Open)) f.SetLength(Checkpoint.MaxManifestBytes + 1);   // sparse: no 32 MB written
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the oversized manifest was read");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.Contains($"above the {Checkpoint.MaxManifestBytes}-byte limit", e.Message);
        Assert.Contains(Checkpoint.ManifestFileName, e.Message);
    }

    [Fact]
    public void Version2WithoutSeal_IsRejected()
    {
        using var tmp = new TempDir("seal-version");
        CheckpointTests.SaveSample(tmp.Combine("v2"));
        string manifest = Path.Combine(tmp.Combine("v2"), Checkpoint.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json.Remove("manifest_sha256");
        File.WriteAllText(manifest, json.ToJsonString());
        Assert.Contains("'manifest_sha256' must be a string", Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(tmp.Combine("v2"))).Message);
    }

    /// <summary>
    /// Rewrites the checkpoint in <paramref name="v2"/> in the version-1 layout into <paramref name="v1"/>: one weights file
    /// holding the parameters and the <c>optim.*</c> buffers, a manifest without optimizer file and without seal.
    /// </summary>
    internal static void WriteVersion1Copy(string v2, string v1)
    {
        var weights = SafeTensorsFile.Read(Path.Combine(v2, Checkpoint.WeightsFileName));
        var optimizer = SafeTensorsFile.Read(Path.Combine(v2, Checkpoint.OptimizerFileName));
        byte[] merged = SafeTensorsWriter.Serialize([.. weights.Tensors, .. optimizer.Tensors],
            new Dictionary<string, string> { ["format"] = "seqlearn.checkpoint", ["format_version"] = "1" });
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(v2, Checkpoint.ManifestFileName)))!.AsObject();
        manifest["format_version"] = 1;
        manifest["weights"]!["bytes"] = merged.LongLength;
        manifest["weights"]!["sha256"] = Convert.ToHexStringLower(SHA256.HashData(merged));
        foreach (string key in new[] { "file", "bytes", "sha256" }) manifest["optimizer"]!.AsObject().Remove(key);
        manifest.Remove("manifest_sha256");
        Directory.CreateDirectory(v1);
        File.WriteAllBytes(Path.Combine(v1, Checkpoint.WeightsFileName), merged);
        File.WriteAllText(Path.Combine(v1, Checkpoint.ManifestFileName), manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
