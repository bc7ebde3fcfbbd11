using System.Globalization;
using SeqLearn.Checkpoints;
using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Parity with PyTorch 1.13 (float64): scripts/pytorch_seq2seq_fixture.py builds the same encoder–decoder (Bahdanau with a
/// bidirectional GRU encoder; Luong general with a bidirectional LSTM; Luong general with input feeding and two GRU layers),
/// runs one teacher-forced padded batch and stores, per case in Engine.Tests/Fixtures/seq2seq/&lt;case&gt;.safetensors, the
/// weights by parameter name, the padded token rows with their lengths, the logits, the loss and every gradient
/// (<c>grad.&lt;name&gt;</c>); the settings are in <c>__metadata__</c>.
/// </summary>
/// <remarks>
/// Logits, loss and gradients must agree to |a − e| ≤ tol + tol·|e| with tol = 1e-9: both sides evaluate the same formulas
/// in float64 and differ only by summation order, so the observed gaps are far smaller; a wrong step, mask or gradient is
/// off by far more.
/// </remarks>
public sealed class Seq2SeqPyTorchParityTests(ITestOutputHelper output)
{
    private const double Tol = 1e-9;
    private static readonly string[] DataKeys = ["sources", "source_lengths", "targets", "target_lengths", "logits", "loss"];

    [Theory]
    [InlineData("bahdanau_gru_bidir")]
    [InlineData("luong_general_lstm_bidir")]
    [InlineData("luong_general_feed_gru_2layers")]
    public void TeacherForcedBatch_MatchesPyTorch(string name)
    {
        var file = SafeTensorsFile.Read(RepoPaths.Fixture("seq2seq", name + ".safetensors"));
        var m = file.Metadata;
        int Int(string key) => int.Parse(m[key], CultureInfo.InvariantCulture);
        Tensor<double> Read(string entry) =>
            (file.Find(entry) ?? throw new Xunit.Sdk.XunitException($"{name}: the fixture has no '{entry}'.")).ToTensor<double>();

        var config = new Seq2SeqConfig(Int("source_vocab_size"), Int("target_vocab_size"), Int("embedding_size"), Int("hidden_size"), Int("num_layers"),
            m["cell"] switch { "lstm" => RecurrentCell.Lstm, "gru" => RecurrentCell.Gru, var c => throw new InvalidDataException($"{name}: cell '{c}'.") },
            bool.Parse(m["bidirectional"]),
            m["attention"] switch
            {
                "bahdanau" => AttentionKind.Bahdanau,
                "luong_general" => AttentionKind.LuongGeneral,
                var a => throw new InvalidDataException($"{name}: attention '{a}'."),
            },
            bool.Parse(m["input_feeding"]),
            m["attention_size"] == "" ? null : Int("attention_size"));
        var model = new Seq2Seq<double>(config, new SeededRng(1));
        var names = file.Tensors.Select(t => t.Name).ToList();
        var parameters = names.Where(n => !DataKeys.Contains(n) && !n.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.Equal(parameters.Order(StringComparer.Ordinal), model.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal));   // the same names as PyTorch
        Assert.Equal(parameters.Select(p => "grad." + p).Order(StringComparer.Ordinal),
            names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        model.LoadStateDict(parameters.ToDictionary(p => p, Read));

        var sources = Rows(file, "sources", "source_lengths");
        var targets = Rows(file, "targets", "target_lengths");
        var batch = PairBatch.Pad(sources, targets, Enumerable.Range(0, sources.Count).ToArray(), Int("pad"), Int("bos"), Int("eos"));
        var logits = model.Logits(batch, LayerContext.None);
        var loss = SeqLearn.Autograd.Ops.SoftmaxCrossEntropy(logits, batch.DecoderTargets);
        var diffs = new List<string>();
        Compare(Read("logits"), logits.Value, $"{name} logits", diffs);
        Compare(Read("loss"), Tensor<double>.FromArray(loss.Value.ToArray(), 1), $"{name} loss", diffs);
        loss.Backward();
        foreach (string p in parameters)
            Compare(Read("grad." + p), model.Parameter(p).Grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient reached '{p}'."),
                $"{name} ∂L/∂{p}", diffs);
        foreach (string line in diffs) output.WriteLine(line);
    }

    // The rows of a padded I64 matrix, each cut to its length (the padding after it must be the pad id).
    private static List<int[]> Rows(SafeTensorsFile file, string entry, string lengthsEntry)
    {
        var t = file.Find(entry)!;
        long[] values = t.ToInt64(), lengths = file.Find(lengthsEntry)!.ToInt64();
        int width = t.Shape[1], pad = int.Parse(file.Metadata["pad"], CultureInfo.InvariantCulture);
        Assert.Equal(t.Shape[0], lengths.Length);
        var rows = new List<int[]>();
        for (int b = 0; b < lengths.Length; b++)
        {
            var row = values.AsSpan(b * width, width);
            Assert.All(row[(int)lengths[b]..].ToArray(), v => Assert.Equal(pad, v));
            rows.Add([.. row[..(int)lengths[b]].ToArray().Select(v => checked((int)v))]);
        }
        return rows;
    }

    // AllClose with |a − e| ≤ Tol + Tol·|e| (its message names the case, the tensor, the first failing index and both
    // values); on success the largest absolute and relative gaps are kept for the test output.
    private static void Compare(Tensor<double> expected, Tensor<double> actual, string what, List<string> diffs) =>
        diffs.Add(TensorAssert.AllCloseGaps(expected, actual, Tol, Tol, what));
}
