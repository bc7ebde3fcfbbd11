using SeqLearn.Autograd;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Models;

public class LanguageModelTests
{
    [Fact]
    public void LanguageModel_ParameterNames_MatchPyTorchWordLanguageModel()
    {
        var lm = new LanguageModel<float>(new LanguageModelConfig(11, EmbeddingSize: 5, HiddenSize: 7, NumLayers: 2), new SeededRng(1));
        var shapes = lm.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Value.ShapeString);
        Assert.Equal(["encoder.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "decoder.weight", "decoder.bias"], shapes.Keys);
        Assert.Equal("(11, 5)", shapes["encoder.weight"]);
        Assert.Equal("(28, 5)", shapes["rnn.weight_ih_l0"]);
        Assert.Equal("(11, 7)", shapes["decoder.weight"]);
    }

    [Fact]
    public void LanguageModel_TiedWeights_DecoderReadsTheEmbeddingTable()
    {
        var lm = new LanguageModel<double>(new LanguageModelConfig(6, EmbeddingSize: 4, HiddenSize: 4, NumLayers: 1, TieWeights: true), new SeededRng(2));
        Assert.Same(lm.Encoder.Weight, lm.DecoderWeight);
        Assert.DoesNotContain(lm.NamedParameters(), p => p.Key == "decoder.weight");
        Assert.Contains(lm.NamedParameters(), p => p.Key == "decoder.bias");

        var (loss, _) = lm.Loss([1, 2, 3, 4], [2, 3, 4, 5], batch: 2, steps: 2);
        loss.Backward();
        // The table's gradient collects both uses: rows never looked up still get the decoder's share.
        Assert.NotEqual(0.0, lm.Encoder.Weight.Grad!.Span.Slice(0, 4).ToArray().Sum(Math.Abs));
    }

    [Fact]
    public void LanguageModel_TiedWeights_NeedEqualSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new LanguageModel<float>(new LanguageModelConfig(5, 3, 4, TieWeights: true), new SeededRng(1)));
        Assert.Contains("embedding size = hidden size", e.Message);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.Rnn)]
    public void LanguageModel_TwoWindowsWithCarriedState_EqualOneLongWindow(RecurrentCell cell)
    {
        var lm = new LanguageModel<double>(new LanguageModelConfig(7, 3, 5, NumLayers: 2, Cell: cell), new SeededRng(3));
        int[] ids = [1, 4, 2, 6, 0, 3, /* row 1 */ 5, 5, 1, 2, 4, 6];         // (B=2, T=6)
        var (whole, sWhole) = lm.Forward(ids, 2, 6);
        var (first, s1) = lm.Forward([1, 4, 2, 5, 5, 1], 2, 3);
        var (second, s2) = lm.Forward([6, 0, 3, 2, 4, 6], 2, 3, s1.Detach());
        int v = 7;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 6; t++)
            {
                var part = t < 3 ? first : second;
                var expected = whole.Value.Span.Slice((b * 6 + t) * v, v);
                var actual = part.Value.Span.Slice((b * 3 + t % 3) * v, v);
                TensorAssert.AllClose<double>(expected, actual, 1e-12, 1e-12, $"logits b{b} t{t}");
            }
        TensorAssert.AllClose(sWhole.H.Value, s2.H.Value, 1e-12, 1e-12, "final h");
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, false, 0.0)]
    [InlineData(RecurrentCell.Gru, true, 0.0)]
    [InlineData(RecurrentCell.RnnRelu, false, 0.0)]
    [InlineData(RecurrentCell.Lstm, false, 0.3)]
    public void LanguageModel_Loss_GradientCheckOverEveryParameter(RecurrentCell cell, bool tie, double dropout)
    {
        var config = new LanguageModelConfig(5, EmbeddingSize: 3, HiddenSize: 3, NumLayers: 2, Cell: cell, Dropout: dropout, TieWeights: tie);
        var lm = new LanguageModel<double>(config, new SeededRng(4));
        var initial = lm.InitialState(2);
        var rng = new SeededRng(5);
        Tensor<double>.Normal([2, 2, 3], 0, 0.5, rng).Span.CopyTo(initial.H.Value.Span);
        int[] inputs = [0, 3, 1, 4, 2, 2], targets = [3, 1, 0, 2, 2, 4];
        // Dropout masks come from a fresh fixed-seed rng per evaluation, so every evaluation sees the same masks.
        var result = GradientCheck.CheckParameters(
            () => lm.Loss(inputs, targets, 2, 3, initial, dropout > 0 ? new SeededRng(6) : null).Loss,
            lm.Parameters().ToList());
        Assert.True(result.Passed);
        Assert.True(result.Comparisons >= lm.Parameters().Sum(p => p.Value.Length));
    }

    [Fact]
    public void LanguageModel_InitRange_DrawsEveryParameterUniformly()
    {
        var lm = new LanguageModel<float>(new LanguageModelConfig(10, 8, 8, InitRange: 0.1), new SeededRng(7));
        Assert.All(lm.Parameters().SelectMany(p => p.Value.ToArray()), w => Assert.InRange(w, -0.1f, 0.1f));
        // 1e39 is a finite double but +∞ as a float: U(−∞, ∞) would draw NaN weights.
        var e = Assert.Throws<ArgumentException>(() => new LanguageModel<float>(new LanguageModelConfig(10, 8, 8, InitRange: 1e39), new SeededRng(7)));
        Assert.Contains("init range 1E+39 is not finite in Single", e.Message);
        Assert.All(new LanguageModel<double>(new LanguageModelConfig(10, 8, 8, InitRange: 1e39), new SeededRng(7)).Parameters().SelectMany(p => p.Value.ToArray()),
            w => Assert.True(double.IsFinite(w)));
    }

    [Fact]
    public void LanguageModel_Dropout_InTrainingNeedsAnRng_AndEvalIsDeterministic()
    {
        var lm = new LanguageModel<float>(new LanguageModelConfig(6, 4, 4, Dropout: 0.5), new SeededRng(8));
        Assert.Contains("in training mode needs an explicit rng", Assert.Throws<ArgumentException>(() => lm.Forward([1, 2], 1, 2)).Message);
        lm.Eval();
        var a = lm.Forward([1, 2], 1, 2).Logits.Value.ToArray();
        var b = lm.Forward([1, 2], 1, 2).Logits.Value.ToArray();
        Assert.Equal(a, b);
        // Deterministic is not enough (a fixed mask is deterministic too): in eval, dropout is the identity, so the logits are
        // those of the same weights without dropout.
        var plain = new LanguageModel<float>(new LanguageModelConfig(6, 4, 4, Dropout: 0), new SeededRng(8));
        Assert.Equal(lm.NamedParameters().Select(p => p.Key), plain.NamedParameters().Select(p => p.Key));
        foreach (var (p, q) in lm.NamedParameters().Zip(plain.NamedParameters()))
            p.Value.Value.Span.CopyTo(q.Value.Value.Span);
        plain.Eval();
        Assert.Equal(plain.Forward([1, 2], 1, 2).Logits.Value.ToArray(), a);
    }

    [Fact]
    public void LanguageModel_LearnsAPeriodicSequence()
    {
        // 0 1 2 3 4 0 1 2 3 4 …: after training, the next token is certain, so the loss must approach 0.
        var lm = new LanguageModel<float>(new LanguageModelConfig(5, 8, 16, NumLayers: 1), new SeededRng(9));
        var adam = new Adam<float>(lm.Parameters().ToList(), learningRate: 0.02);
        int[] inputs = Enumerable.Range(0, 4 * 10).Select(i => i % 5).ToArray();
        int[] targets = inputs.Select(i => (i + 1) % 5).ToArray();
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            var (loss, _) = lm.Loss(inputs, targets, batch: 4, steps: 10);
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
            if (step == 0) first = loss.Value.Span[0];
            last = loss.Value.Span[0];
        }
        Assert.InRange(first, 1.3f, 2.0f);   // about ln 5 at the start
        Assert.True(last < 0.05f, $"loss after 60 steps: {last}");
    }

    [Fact]
    public void LanguageModelConfig_JsonRoundTrips_AndNamesABadField()
    {
        var config = new LanguageModelConfig(65, 64, 256, 2, RecurrentCell.Gru, 0.25, false, 0.1);
        var json = System.Text.Json.Nodes.JsonNode.Parse(config.ToJson().ToJsonString())!.AsObject();
        Assert.Equal(config, LanguageModelConfig.FromJson(json));
        json["hidden_size"] = "many";
        var e = Assert.Throws<FormatException>(() => LanguageModelConfig.FromJson(json));
        Assert.Contains("hidden_size", e.Message);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, "lstm")]
    [InlineData(RecurrentCell.Gru, "gru")]
    [InlineData(RecurrentCell.Rnn, "rnn")]
    [InlineData(RecurrentCell.RnnRelu, "rnnrelu")]
    public void LanguageModelConfig_CellIsStoredByItsCheckpointName(RecurrentCell cell, string name)
    {
        var json = new LanguageModelConfig(7, Cell: cell).ToJson();
        Assert.Equal(name, (string)json["cell"]!);
        Assert.Equal(cell, LanguageModelConfig.FromJson(json).Cell);
    }
}
