using System.Text.Json;
using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Parity with PyTorch 1.13 (float64): scripts/pytorch_seq2seq_fixture.py builds the same encoder–decoder (Bahdanau with a
/// bidirectional GRU encoder; Luong general with a bidirectional LSTM; Luong general with input feeding and two GRU layers),
/// runs one teacher-forced padded batch and stores the weights, logits, loss and every gradient by parameter name.
/// </summary>
public sealed class Seq2SeqPyTorchParityTests
{
    [Theory]
    [InlineData("bahdanau_gru_bidir")]
    [InlineData("luong_general_lstm_bidir")]
    [InlineData("luong_general_feed_gru_2layers")]
    public void TeacherForcedBatch_MatchesPyTorch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("seq2seq", name + ".json")));
        var f = doc.RootElement;
        var config = new Seq2SeqConfig(f.GetProperty("source_vocab_size").GetInt32(), f.GetProperty("target_vocab_size").GetInt32(),
            f.GetProperty("embedding_size").GetInt32(), f.GetProperty("hidden_size").GetInt32(), f.GetProperty("num_layers").GetInt32(),
            f.GetProperty("cell").GetString() == "lstm" ? RecurrentCell.Lstm : RecurrentCell.Gru, f.GetProperty("bidirectional").GetBoolean(),
            f.GetProperty("attention").GetString() == "bahdanau" ? AttentionKind.Bahdanau : AttentionKind.LuongGeneral,
            f.GetProperty("input_feeding").GetBoolean(),
            f.GetProperty("attention_size").ValueKind == JsonValueKind.Null ? null : f.GetProperty("attention_size").GetInt32());
        var model = new Seq2Seq<double>(config, new SeededRng(1));
        var parameters = f.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value));
        Assert.Equal(parameters.Keys.Order(), model.NamedParameters().Select(p => p.Key).Order());   // the same names as PyTorch
        model.LoadStateDict(parameters);

        var sources = Sequences(f.GetProperty("sources"));
        var targets = Sequences(f.GetProperty("targets"));
        var batch = PairBatch.Pad(sources, targets, Enumerable.Range(0, sources.Count).ToArray(),
            f.GetProperty("pad").GetInt32(), f.GetProperty("bos").GetInt32(), f.GetProperty("eos").GetInt32());
        var logits = model.Logits(batch, LayerContext.None);
        var loss = SeqLearn.Autograd.Ops.SoftmaxCrossEntropy(logits, batch.DecoderTargets);
        const double Tol = 1e-5;
        TensorAssert.AllClose(Read(f.GetProperty("logits")), logits.Value, Tol, Tol, $"{name} logits");
        Assert.Equal(f.GetProperty("loss").GetDouble(), loss.Value.Span[0], 1e-8);
        loss.Backward();
        foreach (var p in f.GetProperty("param_grads").EnumerateObject())
            TensorAssert.AllClose(Read(p.Value), model.Parameter(p.Name).Grad!, Tol, Tol, $"{name} ∂L/∂{p.Name}");
    }

    private static List<int[]> Sequences(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();

    private static Tensor<double> Read(JsonElement t) =>
        Tensor<double>.FromArray(t.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            t.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());
}
