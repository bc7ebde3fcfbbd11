using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Optim;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Models;

public class ModelCheckpointTests
{
    private static string FixtureDir => Path.Combine(RepoPaths.Root, "Engine.Tests", "Fixtures", "checkpoints", "sequential_lstm");

    // scripts/pytorch_model_checkpoint_fixture.py wrote this checkpoint from a PyTorch module (its state_dict names, loaded
    // back with strict=True) and the module's logits for a padded batch with lengths.
    [Fact]
    public void Load_CheckpointWrittenFromPyTorch_PicksTheKindAndReproducesPyTorchLogits()
    {
        var loaded = ModelCheckpoint.Load<float>(FixtureDir);
        var model = Assert.IsType<Sequential<float>>(loaded.Model);
        Assert.IsType<Lstm<float>>(model.Layers[1]);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDir, "expected.json")))!;
        int[] ids = [.. expected["ids"]!.AsArray().SelectMany(r => r!.AsArray().Select(x => (int)x!))];
        int[] lengths = [.. expected["lengths"]!.AsArray().Select(x => (int)x!)];
        double[] logits = [.. expected["logits"]!.AsArray().SelectMany(r => r!.AsArray().Select(x => (double)x!))];

        model.Eval();
        var y = model.Forward(ids, lengths.Length, ids.Length / lengths.Length, new LayerContext(Lengths: lengths)).Value;

        Assert.Equal([3, 3], y.ShapeArray());
        for (int i = 0; i < logits.Length; i++)
            Assert.True(Math.Abs(y.Span[i] - logits[i]) <= 1e-5, $"logit {i}: SeqLearn {y.Span[i]}, PyTorch {logits[i]}");
    }

    // The weights SeqLearn writes hold exactly the tensors of the PyTorch-written file (names, shapes, bytes), so PyTorch loads
    // them with strict=True as it loaded its own (the script checks that load).
    [Fact]
    public void Save_LoadedModel_WritesTheSameTensorsAsPyTorchWrote()
    {
        using var tmp = new TempDir("model-checkpoint");
        var loaded = ModelCheckpoint.Load<float>(FixtureDir);
        ModelCheckpoint.Save(tmp.Path, loaded.Model);
        var pytorch = SafeTensorsFile.Read(Path.Combine(FixtureDir, Checkpoint.WeightsFileName)).Tensors;
        var ours = SafeTensorsFile.Read(tmp.Combine(Checkpoint.WeightsFileName)).Tensors;
        Assert.Equal(pytorch.Select(t => t.Name), ours.Select(t => t.Name));
        for (int i = 0; i < pytorch.Count; i++)
        {
            Assert.Equal(pytorch[i].Shape.ToArray(), ours[i].Shape.ToArray());
            Assert.Equal(pytorch[i].Data.ToArray(), ours[i].Data.ToArray());
        }
        Assert.True(JsonNode.DeepEquals(loaded.Data.ModelConfig, ModelCheckpoint.Load<float>(tmp.Path).Data.ModelConfig));
    }

    [Fact]
    public void SaveThenLoad_EveryLayerKind_RoundTripsConfigAndWeights()
    {
        using var tmp = new TempDir("model-roundtrip");
        var rng = new SeededRng(3);
        var model = new Sequential<double>(
            new Embedding<double>(9, 4, rng),
            new Gru<double>(4, 3, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true, Dropout: 0.25)),
            new Rnn<double>(6, 2, rng, new RecurrentOptions(Bidirectional: true), ActivationFunction.Relu),
            new Dropout<double>(0.5),
            new Activation<double>(ActivationFunction.Tanh),
            new MaskedMaxPool<double>(),
            new MaskedMeanPool<double>(),
            new LastStep<double>(bidirectional: true),
            new Activation<double>(ActivationFunction.Relu),
            new Linear<double>(4, 5, rng, bias: false));
        ModelCheckpoint.Save(tmp.Path, model, new JsonObject { ["kind"] = "test" });
        var loaded = ModelCheckpoint.Load<double>(tmp.Path);
        var layers = Assert.IsType<Sequential<double>>(loaded.Model).Layers;
        Assert.Equal(model.Layers.Select(l => l.GetType()), layers.Select(l => l.GetType()));
        Assert.Equal(ActivationFunction.Tanh, Assert.IsType<Activation<double>>(layers[4]).Function);
        Assert.Equal(ActivationFunction.Relu, Assert.IsType<Activation<double>>(layers[8]).Function);

        Assert.True(JsonNode.DeepEquals(ModelCheckpoint.ConfigOf(model), ModelCheckpoint.ConfigOf(loaded.Model)));
        var original = model.NamedParameters().ToList();
        var restored = loaded.Model.NamedParameters().ToList();
        Assert.Equal(original.Select(p => p.Key), restored.Select(p => p.Key));
        for (int i = 0; i < original.Count; i++) Assert.Equal(original[i].Value.Value.ToArray(), restored[i].Value.Value.ToArray());
        Assert.Equal("test", (string)loaded.Data.Vocabulary!["kind"]!);
    }

    [Fact]
    public void Load_LanguageModelCheckpoint_BuildsALanguageModel()
    {
        using var tmp = new TempDir("model-lm");
        var lm = new LanguageModel<float>(new LanguageModelConfig(7, 3, 4, 1, RecurrentCell.Gru), new SeededRng(1));
        ModelCheckpoint.Save(tmp.Path, lm);
        var loaded = Assert.IsType<LanguageModel<float>>(ModelCheckpoint.Load<float>(tmp.Path).Model);
        Assert.Equal(lm.Config, loaded.Config);
        Assert.Equal(lm.DecoderWeight.Value.ToArray(), loaded.DecoderWeight.Value.ToArray());
    }

    [Theory]
    [InlineData("{\"type\":\"transformer\"}", "unknown model type 'transformer'")]
    [InlineData("{\"type\":\"sequential\",\"layers\":[{\"type\":\"embedding\",\"num_embeddings\":2000000000,\"embedding_dim\":4}]}", "'num_embeddings' = 2000000000 is outside")]
    [InlineData("{\"type\":\"sequential\",\"layers\":[{\"type\":\"lstm\",\"input_size\":4}]}", "field 'hidden_size' is missing")]
    [InlineData("{\"type\":\"sequential\",\"layers\":[{\"type\":\"linear\",\"in_features\":4,\"out_features\":2,\"bias\":true}]}", "'0.weight'")]
    [InlineData("{\"type\":\"sequential\",\"layers\":[{\"type\":\"linear\",\"in_features\":3,\"out_features\":2,\"bias\":true},{\"type\":\"activation\",\"function\":\"gelu\"}]}", "function 'gelu' is not tanh, sigmoid or relu")]
    public void Load_BadOrMismatchedConfig_IsAFormatErrorNamingTheProblem(string config, string expected)
    {
        using var tmp = new TempDir("model-bad");
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Linear<float>(3, 2, rng));
        Checkpoint.Save(tmp.Path, new CheckpointData<float>
        {
            Parameters = model.NamedParameters().Select(p => new NamedTensor<float>(p.Key, p.Value.Value.Clone())).ToArray(),
            ModelConfig = JsonNode.Parse(config)!.AsObject(),
        });
        var e = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load<float>(tmp.Path));
        Assert.Contains(expected, e.Message);
        Assert.Contains("checkpoint.json", e.Message);
    }

    // The config is compared with the stored tensors before the model is built. Each config here describes a model that
    // cannot be built (the sequential and seq2seq ones hold a weight past one array) or costs ≈ 13 MB (the language
    // model): the message names the mismatch with the tensors, and the allocation bound shows that nothing of the
    // model's size was allocated.
    [Theory]
    [InlineData("lm", "{\"type\":\"recurrent_lm\",\"vocab_size\":7,\"embedding_size\":3,\"hidden_size\":1024,\"num_layers\":1,\"cell\":\"gru\",\"dropout\":0,\"tie_weights\":false,\"init_range\":null}",
        "the weights do not fit model_config: model_config field 'hidden_size' is 1024 but tensor 'rnn.weight_hh_l0' has H = 4 columns")]
    [InlineData("sequential", "{\"type\":\"sequential\",\"layers\":[{\"type\":\"embedding\",\"num_embeddings\":16777216,\"embedding_dim\":16777216}]}",
        "the weights do not fit model_config: tensor '0.weight' is (2, 3); model_config needs (16777216, 16777216)")]
    [InlineData("sequential", "{\"type\":\"sequential\",\"layers\":[{\"type\":\"linear\",\"in_features\":3,\"out_features\":2,\"bias\":true},{\"type\":\"gru\",\"input_size\":2,\"hidden_size\":1024,\"num_layers\":1,\"bidirectional\":false,\"dropout\":0}]}",
        "tensor '1.weight_ih_l0' (3072, 2) that model_config needs is missing")]
    [InlineData("seq2seq", "{\"type\":\"seq2seq\",\"source_vocab_size\":1073741824,\"target_vocab_size\":5,\"embedding_size\":4,\"hidden_size\":4,\"num_layers\":1,\"cell\":\"gru\",\"bidirectional\":false,\"attention\":\"bahdanau\",\"input_feeding\":false,\"attention_size\":null,\"dropout\":0}",
        "the weights do not fit model_config: model_config describes a model of 4294967685 parameter values but the file holds 413")]
    public void Load_ConfigLargerThanItsTensors_IsRefusedBeforeTheModelIsBuilt(string stored, string config, string expected)
    {
        using var tmp = new TempDir("model-huge");
        var rng = new SeededRng(1);
        Module<float> model = stored switch
        {
            "lm" => new LanguageModel<float>(new LanguageModelConfig(7, 3, 4, 1, RecurrentCell.Gru), rng),
            "sequential" => new Sequential<float>(new Linear<float>(3, 2, rng)),
            _ => new Seq2Seq<float>(new Seq2SeqConfig(6, 5, 4, 4), rng),
        };
        Checkpoint.Save(tmp.Path, new CheckpointData<float>
        {
            Parameters = CheckpointData<float>.Snapshot(model),
            ModelConfig = JsonNode.Parse(config)!.AsObject(),
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load<float>(tmp.Path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
        Assert.Contains("checkpoint.json", e.Message);
        Assert.True(allocated < 4_000_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Save_ToTheRootDirectory_IsAClearArgumentException()
    {
        var model = new Sequential<float>(new Linear<float>(2, 2, new SeededRng(1)));
        var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save("/", model));
        Assert.Equal("directory", e.ParamName);
        Assert.Contains("'/' is a root directory", e.Message);
    }

    [Fact]
    public void ConfigOf_UnknownModel_NamesItWithoutTheGenericArity()
    {
        var e = Assert.Throws<NotSupportedException>(() => ModelCheckpoint.ConfigOf<float>(new Linear<float>(2, 2, new SeededRng(1))));
        Assert.Contains("ModelCheckpoint: Linear has no stored config", e.Message);
    }
}
