using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>The model's parameter names, shapes, config JSON, and its two teacher-forcing paths against each other.</summary>
public sealed class Seq2SeqModelTests
{
    [Fact]
    public void Parameters_HavePyTorchStyleNamesAndShapes()
    {
        var config = new Seq2SeqConfig(7, 9, EmbeddingSize: 3, HiddenSize: 4, Cell: RecurrentCell.Lstm, Bidirectional: true, Attention: AttentionKind.LuongGeneral);
        var p = new Seq2Seq<float>(config, new SeededRng(1)).StateDict();
        Assert.Equal([7, 3], p["encoder.embedding.weight"].ShapeArray());
        Assert.Equal([16, 3], p["encoder.rnn.weight_ih_l0"].ShapeArray());
        Assert.Equal([16, 4], p["encoder.rnn.weight_hh_l0_reverse"].ShapeArray());
        Assert.Equal([4, 8], p["bridge.weight"].ShapeArray());
        Assert.Equal([4, 8], p["bridge_c.weight"].ShapeArray());
        Assert.Equal([16, 3], p["decoder.rnn.weight_ih_l0"].ShapeArray());
        Assert.Equal([4, 8], p["decoder.attention.W_a.weight"].ShapeArray());
        Assert.Equal([4, 12], p["decoder.attention.W_c.weight"].ShapeArray());
        Assert.Equal([9, 4], p["decoder.out.weight"].ShapeArray());
        var bahdanau = new Seq2Seq<float>(config with { Cell = RecurrentCell.Gru, Attention = AttentionKind.Bahdanau, AttentionSize = 5 }, new SeededRng(1)).StateDict();
        Assert.Equal([5, 8], bahdanau["decoder.attention.W_k.weight"].ShapeArray());
        Assert.Equal([5, 4], bahdanau["decoder.attention.W_q.weight"].ShapeArray());
        Assert.Equal([1, 5], bahdanau["decoder.attention.v.weight"].ShapeArray());
        Assert.Equal([12, 3 + 8], bahdanau["decoder.rnn.weight_ih_l0"].ShapeArray());  // [embedding; context]
        Assert.False(bahdanau.ContainsKey("bridge_c.weight"));
    }

    [Fact]
    public void Config_JsonRoundTrip_AndClearErrors()
    {
        var config = new Seq2SeqConfig(10, 11, 5, 6, 2, RecurrentCell.Lstm, true, AttentionKind.LuongGeneral, InputFeeding: true, AttentionSize: 7, Dropout: 0.25);
        var json = config.ToJson();
        Assert.Equal("seq2seq", (string?)json["type"]);
        Assert.Equal(config, Seq2SeqConfig.FromJson(JsonNode.Parse(json.ToJsonString())!.AsObject()));
        json["attention"] = "cosine";
        Assert.Contains("unknown attention 'cosine'", Assert.Throws<FormatException>(() => Seq2SeqConfig.FromJson(json)).Message);
        var dot = config.ToJson();
        dot["attention"] = "luong_dot";
        Assert.Contains("dot score needs memory width", Assert.Throws<FormatException>(() => Seq2SeqConfig.FromJson(dot)).Message);
        Assert.Throws<ArgumentException>(() => new Seq2SeqConfig(5, 5, Attention: AttentionKind.Bahdanau, InputFeeding: true).Validate());
    }

    // The Luong decoder without input feeding runs the fused RNN over all U steps and the attention as (B, U, S) GEMMs;
    // stepping the same decoder one token at a time must give the same logits at every valid target position.
    [Theory]
    [InlineData(AttentionKind.LuongDot, RecurrentCell.Gru)]
    [InlineData(AttentionKind.LuongGeneral, RecurrentCell.Lstm)]
    [InlineData(AttentionKind.None, RecurrentCell.Gru)]
    public void TeacherForcing_AllStepsPath_EqualsStepByStep(AttentionKind attention, RecurrentCell cell)
    {
        var config = new Seq2SeqConfig(5, 6, EmbeddingSize: 3, HiddenSize: 4, NumLayers: 2, Cell: cell, Attention: attention);
        var model = new Seq2Seq<double>(config, new SeededRng(3));
        var batch = AttentionGradCheckCases.TinyBatch();
        var all = model.Logits(batch, LayerContext.None).Value;                       // (B·U, V)
        var encoding = model.Encode(batch.Source, LayerContext.None);
        var input = batch.DecoderInput;
        var embedded = model.Decoder.Embed(input.Ids, input.BatchSize, input.Steps, LayerContext.None);
        var state = model.Decoder.Start(encoding);
        int v = config.TargetVocabulary;
        for (int t = 0; t < input.Steps; t++)
        {
            (var logits, state, _) = model.Decoder.Step(Ops.Slice(embedded, 1, t, 1), state, encoding, LayerContext.None);
            for (int b = 0; b < input.BatchSize; b++)
            {
                if (!input.IsValid(b, t)) continue;
                for (int j = 0; j < v; j++)
                    Assert.Equal(logits.Value.Span[b * v + j], all.Span[(b * input.Steps + t) * v + j], 12);
            }
        }
    }

    [Fact]
    public void Loss_IsTheMeanCrossEntropyOverTargetTokens_PaddingIgnored()
    {
        var model = new Seq2Seq<double>(new Seq2SeqConfig(5, 6, 3, 4, Attention: AttentionKind.Bahdanau), new SeededRng(4));
        var batch = AttentionGradCheckCases.TinyBatch();
        var logits = model.Logits(batch, LayerContext.None).Value;
        double sum = 0;
        int n = 0;
        for (int r = 0; r < batch.DecoderTargets.Length; r++)
        {
            int y = batch.DecoderTargets[r];
            if (y == -100) continue;
            var z = Enumerable.Range(0, 6).Select(j => logits.Span[r * 6 + j]).ToArray();
            sum += Math.Log(z.Sum(Math.Exp)) - z[y];
            n++;
        }
        Assert.Equal(batch.TargetTokens, n);                                        // 3 + 2 + 4 target tokens with ⟨eos⟩
        Assert.Equal(sum / n, model.Loss(batch, LayerContext.None).Value.Span[0], 12);
    }

    [Fact]
    public void Dropout_TrainingModeNeedsAnRngAndChangesTheLoss_EvalModeDoesNot()
    {
        var model = new Seq2Seq<double>(new Seq2SeqConfig(5, 6, 3, 4, NumLayers: 2, Attention: AttentionKind.LuongGeneral, Dropout: 0.5), new SeededRng(4));
        var batch = AttentionGradCheckCases.TinyBatch();
        Assert.Contains("in training mode needs an explicit rng", Assert.Throws<ArgumentException>(() => model.Loss(batch, LayerContext.None)).Message);
        double a = model.Loss(batch, new LayerContext(new SeededRng(1))).Value.Span[0];
        double b = model.Loss(batch, new LayerContext(new SeededRng(2))).Value.Span[0];
        Assert.NotEqual(a, b);
        model.Eval();
        Assert.Equal(model.Loss(batch, LayerContext.None).Value.Span[0], model.Loss(batch, LayerContext.None).Value.Span[0]);
    }
}

/// <summary>A Seq2Seq saved with <see cref="ModelCheckpoint"/> loads back as the same model with the same outputs.</summary>
public sealed class Seq2SeqCheckpointTests
{
    [Fact]
    public void SaveAndLoad_RebuildsTheModelFromItsConfig()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("seq2seq-checkpoint");
        var model = new Seq2Seq<float>(new Seq2SeqConfig(5, 6, 3, 4, Cell: RecurrentCell.Lstm, Bidirectional: true, Attention: AttentionKind.LuongGeneral,
            InputFeeding: true), new SeededRng(8));
        ModelCheckpoint.Save(tmp.Path, model);
        var loaded = Assert.IsType<Seq2Seq<float>>(ModelCheckpoint.Load<float>(tmp.Path).Model);
        Assert.Equal(model.Config, loaded.Config);
        var batch = AttentionGradCheckCases.TinyBatch();
        Assert.Equal(model.Logits(batch, LayerContext.None).Value.Span.ToArray(), loaded.Logits(batch, LayerContext.None).Value.Span.ToArray());
    }
}
