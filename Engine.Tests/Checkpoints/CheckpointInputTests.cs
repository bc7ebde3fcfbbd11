using System.Text;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>Crafted checkpoint input found in review: each must be a <see cref="CheckpointFormatException"/> naming the file.</summary>
public class CheckpointInputTests
{
    private static string CharCheckpoint(TempDir dir)
    {
        var vocab = CharVocabulary.Build("the cat sat\n");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3));
        string path = dir.Combine("ckpt");
        LanguageModelCheckpoint.Save(path, model, vocab);
        return path;
    }

    [Theory]
    [InlineData("\"format\":", "\"\\uD800\": 1, \"format\":")]        // a key that is a lone surrogate
    [InlineData("\"kind\":", "\"x\": \"\\uDC00\", \"kind\":")]        // a value of the caller's vocabulary object
    public void LoneSurrogateEscape_InTheManifest_IsAFormatErrorWithTheOffset(string find, string replace)
    {
        using var dir = new TempDir("ckpt-surrogate");
        string path = CharCheckpoint(dir);
        string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
        string text = File.ReadAllText(manifest);
        int at = text.IndexOf(find, StringComparison.Ordinal);
        string edited = text[..at] + replace + text[(at + find.Length)..];
        File.WriteAllText(manifest, edited);
        ManifestSeal.Reseal(manifest);
        var e = Record.Exception(() => LanguageModelCheckpoint.Load(path));
        var f = Assert.IsType<CheckpointFormatException>(e);
        Assert.Equal(manifest, f.File);
        Assert.Equal(edited.IndexOf("\"\\uD", StringComparison.Ordinal), f.Offset);   // the ASCII manifest: chars = bytes
    }

    /// <summary>A sealed word-level checkpoint in <paramref name="dir"/> whose vocabulary's token 2 is null: (its directory, its manifest).</summary>
    internal static (string Path, string Manifest) CheckpointWithANullToken(TempDir dir)
    {
        var vocab = WordVocabulary.Build(["the cat sat"]);
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3));
        string path = dir.Combine("ckpt");
        LanguageModelCheckpoint.Save(path, model, vocab);
        string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["vocabulary"]!["tokens"]![2] = null;
        File.WriteAllText(manifest, json.ToJsonString());
        ManifestSeal.Reseal(manifest);
        return (path, manifest);
    }

    [Fact]
    public void WordVocabularyWithANullToken_IsAFormatErrorNamingTheManifest()
    {
        using var dir = new TempDir("ckpt-null-token");
        var (path, manifest) = CheckpointWithANullToken(dir);
        var e = Record.Exception(() => LanguageModelCheckpoint.Load(path));
        Assert.Contains(manifest, Assert.IsType<CheckpointFormatException>(e).Message);
    }

    [Fact]
    public void EmptyTensorWithHugeLeadingDimensions_IsAFormatErrorNamingTheFile()
    {
        // 0 elements and 0 bytes, but no tensor here can have that shape: ToTensor threw "Zeros: shape … has more
        // than … elements", an ArgumentException naming neither the file nor the tensor.
        using var dir = new TempDir("st-empty-huge");
        string path = dir.Combine("w.safetensors");
        string header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536,0],\"data_offsets\":[0,0]}}";
        var bytes = new byte[8 + header.Length];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Record.Exception(() => new Linear<float>(2, 2, new SeededRng(1)).LoadWeights(path));
        var f = Assert.IsType<CheckpointFormatException>(e);
        Assert.Equal(path, f.File);
        Assert.Contains("'x'", f.Message);
    }
    [Fact]
    public void LoadWeights_OtherNames_IsAFormatErrorNamingTheFileWithoutTheParameterSuffix()
    {
        using var dir = new TempDir("st-other-names");
        string path = dir.Combine("w.safetensors");
        new Linear<float>(2, 2, new SeededRng(1)).SaveWeights(path);                 // "weight", "bias"
        var e = Assert.Throws<CheckpointFormatException>(() => new Sequential<float>(new Linear<float>(2, 2, new SeededRng(1))).LoadWeights(path));
        Assert.Equal(path, e.File);
        Assert.Contains("missing [0.", e.Message);
        Assert.DoesNotContain("(Parameter", e.Message);
    }
}
