using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using SeqLearn.Text;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>
/// docs/checkpoints.md's C# examples run here: each ```csharp block of the page must equal the region
/// <c>// checkpoints.md example N begin … end</c> of this file (N counts the blocks from 1).
/// </summary>
public class CheckpointDocsTests
{
    [Fact]
    public void AnyModule_SaveWeightsAndLoadWeights_OneCallEach()
    {
        using var tmp = new TempDir("docs-1");
        string path = tmp.Combine("classifier.safetensors");
        var rng = new SeededRng(1);
        // checkpoints.md example 1 begin
        var model = new Sequential<float>(new Linear<float>(4, 8, rng), new Activation<float>(ActivationFunction.Tanh), new Linear<float>(8, 2, rng));
        model.SaveWeights(path);                    // "0.weight", "0.bias", "2.weight", "2.bias"

        var copy = new Sequential<float>(new Linear<float>(4, 8, rng), new Activation<float>(ActivationFunction.Tanh), new Linear<float>(8, 2, rng));
        copy.LoadWeights(path);                     // every name and shape checked, nothing extra
        // checkpoints.md example 1 end
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight"], SafeTensorsFile.Read(path).Tensors.Select(t => t.Name));
        foreach (var (name, p) in model.NamedParameters()) TensorAssert.BitEqual<float>(p.Value.Span, copy.Parameter(name).Value.Span, name);
        var wrong = new Sequential<float>(new Linear<float>(4, 9, rng), new Activation<float>(ActivationFunction.Tanh), new Linear<float>(9, 2, rng));
        Assert.Contains("0.weight", Assert.Throws<CheckpointFormatException>(() => wrong.LoadWeights(path)).Message);
    }

    [Fact]
    public void ModelWithConfig_ModelCheckpoint_RebuildsIt()
    {
        using var tmp = new TempDir("docs-2");
        string dir = tmp.Combine("lm");
        // checkpoints.md example 2 begin
        var vocabulary = CharVocabulary.Build("the cat sat on the mat\n");
        var lm = new LanguageModel<float>(new LanguageModelConfig(vocabulary.Count, EmbeddingSize: 8, HiddenSize: 16), new SeededRng(1));
        ModelCheckpoint.Save(dir, lm, LanguageModelCheckpoint.VocabularyToJson(vocabulary));

        var loaded = ModelCheckpoint.Load<float>(dir);   // builds the model that model_config describes
        var back = (LanguageModel<float>)loaded.Model;
        // checkpoints.md example 2 end
        Assert.Equal(lm.Config, back.Config);
        foreach (var (name, p) in lm.NamedParameters()) TensorAssert.BitEqual<float>(p.Value.Span, back.Parameter(name).Value.Span, name);
    }

    [Fact]
    public void TrainingCheckpoint_EverythingToResume()
    {
        using var tmp = new TempDir("docs-3");
        string dir = tmp.Combine("step-001200");
        var model = new LanguageModel<float>(new LanguageModelConfig(5, 4, 8, 1), new SeededRng(2));
        var optimizer = new Adam<float>(model.Parameters(), learningRate: 0.001);
        var dropoutRng = new SeededRng(3);
        foreach (var p in model.Parameters()) p.Grad = Tensor<float>.Full(0.5f, p.Value.ShapeArray());
        optimizer.Step();
        // checkpoints.md example 3 begin
        Checkpoint.Save(dir, new CheckpointData<float>
        {
            Parameters = CheckpointData<float>.Snapshot(model),   // full dotted names: "rnn.weight_ih_l0", …
            Optimizer = optimizer.ExportState(),                  // → optimizer.safetensors
            Step = 1200,
            ModelConfig = new JsonObject { ["hidden"] = 8, ["layers"] = 1 },
            Vocabulary = new JsonArray("a", "b", "c", "d", "\n"),
            RngStates = new Dictionary<string, RngState> { ["dropout"] = dropoutRng.GetState() },
            TrainerState = new JsonObject { ["epoch"] = 3 },
        });

        var data = Checkpoint.Load<float>(dir);
        data.RestoreInto(model);                      // by name; every shape checked
        optimizer.ImportState(data.Optimizer!);
        dropoutRng.SetState(data.RngStates["dropout"]);
        // checkpoints.md example 3 end
        Assert.Equal(1200, data.Step);
        Assert.Equal(3, (int)data.TrainerState!["epoch"]!);
        Assert.True(File.Exists(Path.Combine(dir, Checkpoint.OptimizerFileName)));
    }

    [Fact]
    public void EveryCsharpBlockOfThePage_IsARegionOfThisFile()
    {
        string Normalize(IEnumerable<string> lines) => string.Join("\n", lines.Select(l => l.Trim()).Where(l => l.Length > 0));
        var source = File.ReadAllLines(Path.Combine(RepoPaths.Root, "Engine.Tests", "Checkpoints", "CheckpointDocsTests.cs"));
        var page = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "checkpoints.md"));
        int close = -1, blocks = 0;
        while (Array.FindIndex(page, close + 1, l => l.Trim() == "```csharp") is int open and >= 0)
        {
            close = Array.FindIndex(page, open + 1, l => l.Trim() == "```");
            blocks++;
            int begin = Array.FindIndex(source, l => l.Trim() == $"// checkpoints.md example {blocks} begin");
            int end = Array.FindIndex(source, l => l.Trim() == $"// checkpoints.md example {blocks} end");
            Assert.True(begin >= 0 && end > begin, $"docs/checkpoints.md block {blocks} has no region in CheckpointDocsTests.cs.");
            Assert.Equal(Normalize(source[(begin + 1)..end]), Normalize(page[(open + 1)..close].Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal))));
        }
        Assert.Equal(3, blocks);
    }
}
