using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The fused teacher-forced Bahdanau decoder (one node for all steps) against the step loop it replaces, float64: the same
/// loss, logits, attention weights and every parameter gradient, for GRU and LSTM, over padded sources and targets;
/// and the same bits on 1 and 2 threads. Its gradient check is the "Seq2Seq loss bahdanau … L1" cases of
/// <see cref="AttentionGradCheckCases"/>.
/// </summary>
public sealed class FusedBahdanauDecoderTests
{
    [Theory]
    [InlineData(RecurrentCell.Gru, true, 6, 7)]
    [InlineData(RecurrentCell.Lstm, true, 6, 7)]
    [InlineData(RecurrentCell.Gru, false, 6, 7)]
    [InlineData(RecurrentCell.Gru, true, 70, 131)]
    public void Fused_EqualsStepLoop_ForwardAndBackward(RecurrentCell cell, bool bidirectional, int hidden, int attention)
    {
        var config = new Seq2SeqConfig(9, 11, EmbeddingSize: 5, HiddenSize: hidden, Cell: cell, Bidirectional: bidirectional,
            Attention: AttentionKind.Bahdanau, AttentionSize: attention);
        var model = new Seq2Seq<double>(config, new SeededRng(5));
        var batch = RandomBatch(new SeededRng(9), rows: 7, vocabulary: 9, targetVocabulary: 11);

        var (lossFused, logitsFused, alphaFused, gradsFused) = Run(model, batch, fused: true, pool: null);
        var (lossSteps, logitsSteps, alphaSteps, gradsSteps) = Run(model, batch, fused: false, pool: null);
        Assert.Equal(lossSteps, lossFused, 12);
        TensorAssert.AllClose(logitsSteps, logitsFused, rtol: 1e-10, atol: 1e-12, what: "logits");
        TensorAssert.AllClose(alphaSteps, alphaFused, rtol: 1e-10, atol: 1e-12, what: "attention weights");
        foreach (var (name, g) in gradsSteps)
            TensorAssert.AllClose(g, gradsFused[name], rtol: 1e-9, atol: 1e-12, what: name);
    }

    [Fact]
    public void BuffersPastOneArray_AreRefusedNamingTheSizes_BeforeAnyIsRented()
    {
        // B = 64, U = S = 128, A = 2048: the tanh values alone are 2³¹ floats (8 GB).
        var e = Assert.Throws<ArgumentException>(() => FusedBahdanauDecoder.CheckSizes(64, 128, 128, 2048, 3 * 256, 256));
        Assert.StartsWith("FusedBahdanauDecoder: the attention tanh values B·U·S·A = 64·128·128·2048 = 2147483648 values exceed one array", e.Message);
        FusedBahdanauDecoder.CheckSizes(64, 128, 128, 256, 3 * 256, 256);                 // 268 M values: one array holds them
        e = Assert.Throws<ArgumentException>(() => FusedBahdanauDecoder.CheckSizes(1, 1, 1, 1, 3 * 30_000, 30_000));
        Assert.Contains("the packed [W_q; W_hh] (A + G·H)·H = (1 + 90000)·30000", e.Message);

        // Through the node: one row of U = 2048 steps over S = 1024 keys of A = 1024 (4 MB of keys) makes 2³¹ tanh values.
        static Var<float> Zeros(params int[] shape) => new(Tensor<float>.Zeros(shape));
        var weights = new RecurrentWeights<float>(Zeros(3, 2), Zeros(3, 1), Zeros(3), Zeros(3));
        e = Assert.Throws<ArgumentException>(() => FusedBahdanauDecoder.Run(RecurrentCell.Gru, Zeros(1, 2048, 1), Zeros(1, 1024, 1024), Zeros(1, 1024, 1),
            [1024], Zeros(1, 1, 1), null, Zeros(1024, 1), Zeros(1024), weights, pool: null));
        Assert.StartsWith("FusedBahdanauDecoder: the attention tanh values B·U·S·A = 1·2048·1024·1024 = 2147483648 values", e.Message);
    }

    [Fact]
    public void SkipPadding_ZeroPastEachTargetAndEqualBefore()
    {
        // Loss runs the decoder with skipPadding (each row stops after its target length); Logits runs every step.
        var config = new Seq2SeqConfig(9, 11, EmbeddingSize: 5, HiddenSize: 6, Bidirectional: true, Attention: AttentionKind.Bahdanau);
        var model = new Seq2Seq<double>(config, new SeededRng(8));
        var batch = RandomBatch(new SeededRng(13), rows: 7, vocabulary: 9, targetVocabulary: 11);
        var input = batch.DecoderInput;
        int u = input.Steps;
        Assert.Contains(input.Lengths, n => n < u);                                    // the batch has target padding
        using var two = new WorkerPool(2);
        foreach (var pool in new[] { null, two })
        {
            var context = new LayerContext(Pool: pool);
            var encoding = model.Encode(batch.Source, context);
            var embedded = model.Decoder.Embed(input.Ids, input.BatchSize, u, context);
            var (full, fullAlpha) = model.Decoder.Features(embedded, input.Lengths, encoding, context);
            var (live, liveAlpha) = model.Decoder.Features(embedded, input.Lengths, encoding, context, skipPadding: true);
            int h = full.Value.Dim(2), s = fullAlpha!.Value.Dim(2);
            for (int b = 0; b < input.BatchSize; b++)
                for (int t = 0; t < u; t++)
                {
                    int row = b * u + t;
                    bool pad = t >= input.Lengths[b];
                    var y = live.Value.Span.Slice(row * h, h);
                    var a = liveAlpha!.Value.Span.Slice(row * s, s);
                    if (pad) Assert.All(y.ToArray().Concat(a.ToArray()), x => Assert.Equal(0.0, x));
                    else
                    {
                        TensorAssert.BitEqual<double>(full.Value.Span.Slice(row * h, h), y, $"features ({b}, {t})");
                        TensorAssert.BitEqual<double>(fullAlpha.Value.Span.Slice(row * s, s), a, $"α ({b}, {t})");
                    }
                }
        }
    }

    [Fact]
    public void Fused_RowsInAnyOrder_SameLossAndGradients()
    {
        // The live-row GEMMs cover each block up to its last live row, so rows need not be sorted by length: the same
        // pairs, longest first or shuffled, give the same loss and gradients (to rounding: sums run in row order).
        var config = new Seq2SeqConfig(9, 11, EmbeddingSize: 5, HiddenSize: 6, Bidirectional: true, Attention: AttentionKind.Bahdanau);
        var model = new Seq2Seq<double>(config, new SeededRng(7));
        var rng = new SeededRng(12);
        var sources = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 1 + rng.NextInt(6)).Select(_ => 4 + rng.NextInt(5)).ToArray()).ToArray();
        var targets = Enumerable.Range(0, 8).Select(i => Enumerable.Range(0, i % 5).Select(_ => 4 + rng.NextInt(7)).ToArray()).ToArray();
        int[] sorted = [.. Enumerable.Range(0, 8).OrderByDescending(i => targets[i].Length)], shuffled = [3, 0, 6, 1, 7, 4, 2, 5];
        using var two = new WorkerPool(2);
        var a = Run(model, PairBatch.Pad(sources, targets, sorted, padId: 0, bosId: 2, eosId: 3), fused: true, pool: two);
        var b = Run(model, PairBatch.Pad(sources, targets, shuffled, padId: 0, bosId: 2, eosId: 3), fused: true, pool: two);
        var steps = Run(model, PairBatch.Pad(sources, targets, shuffled, padId: 0, bosId: 2, eosId: 3), fused: false, pool: null);
        Assert.Equal(a.Loss, b.Loss, 12);
        Assert.Equal(steps.Loss, b.Loss, 12);
        foreach (var (name, g) in a.Grads)
        {
            TensorAssert.AllClose(g, b.Grads[name], rtol: 1e-9, atol: 1e-12, what: name + " (sorted vs shuffled)");
            TensorAssert.AllClose(steps.Grads[name], b.Grads[name], rtol: 1e-9, atol: 1e-12, what: name + " (step loop vs fused)");
        }
    }

    /// <summary>
    /// Hidden 6 fits one column block of the row sums (∂b_ih, ∂b_hh, ∂v); hidden 70 with A = 131 cuts G·H = 210 (GRU) or 280
    /// (LSTM) and A into several blocks of 128, the last one ragged, that the pool sums on different threads.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Gru, 6, null)]
    [InlineData(RecurrentCell.Lstm, 6, null)]
    [InlineData(RecurrentCell.Gru, 70, 131)]
    [InlineData(RecurrentCell.Lstm, 70, 131)]
    public void Fused_IsBitIdenticalOnOneAndTwoThreads(RecurrentCell cell, int hidden, int? attention)
    {
        var config = new Seq2SeqConfig(9, 11, EmbeddingSize: 5, HiddenSize: hidden, Cell: cell, Bidirectional: true, Attention: AttentionKind.Bahdanau,
            AttentionSize: attention);
        var model = new Seq2Seq<float>(config, new SeededRng(6));
        var batch = RandomBatch(new SeededRng(10), rows: 9, vocabulary: 9, targetVocabulary: 11);
        using var two = new WorkerPool(2);
        var one = Run(model, batch, fused: true, pool: null);
        var both = Run(model, batch, fused: true, pool: two);
        Assert.Equal(one.Loss, both.Loss);
        TensorAssert.BitEqual<float>(one.Logits.Span, both.Logits.Span, "logits");
        foreach (var (name, g) in one.Grads) TensorAssert.BitEqual<float>(g.Span, both.Grads[name].Span, name);
    }

    [Fact]
    public void Loss_EqualsCrossEntropyOfTheLogits()
    {
        var config = new Seq2SeqConfig(9, 11, EmbeddingSize: 5, HiddenSize: 6, Bidirectional: true, Attention: AttentionKind.LuongGeneral);
        var model = new Seq2Seq<double>(config, new SeededRng(2));
        var batch = RandomBatch(new SeededRng(3), rows: 5, vocabulary: 9, targetVocabulary: 11);
        double fused = model.Loss(batch, LayerContext.None).Value.Span[0];
        double composed = Ops.SoftmaxCrossEntropy(model.Logits(batch, LayerContext.None), batch.DecoderTargets).Value.Span[0];
        Assert.Equal(composed, fused, 12);
    }

    private static (double Loss, Tensor<T> Logits, Tensor<T> Alpha, Dictionary<string, Tensor<T>> Grads) Run<T>(Seq2Seq<T> model, PairBatch batch,
        bool fused, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        model.Decoder.FuseBahdanau = fused;
        var context = new LayerContext(Pool: pool);
        model.ZeroGrad();
        var loss = model.Loss(batch, context);
        loss.Backward();
        var grads = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.Clone());
        Tensor<T> logits, alpha;
        using (new NoGradScope())
        {
            logits = model.Logits(batch, context).Value;
            var encoding = model.Encode(batch.Source, context);
            var input = batch.DecoderInput;
            var embedded = model.Decoder.Embed(input.Ids, input.BatchSize, input.Steps, context);
            alpha = model.Decoder.Features(embedded, input.Lengths, encoding, context).Weights!.Value;
        }
        model.Decoder.FuseBahdanau = true;
        return (double.CreateTruncating(loss.Value.Span[0]), logits, alpha, grads);
    }

    /// <summary>Random pairs with sources of 1–6 tokens and targets of 0–5 (ids from 4; 0 pad, 1 unk, 2 bos, 3 eos).</summary>
    private static PairBatch RandomBatch(SeededRng rng, int rows, int vocabulary, int targetVocabulary)
    {
        var sources = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, 1 + rng.NextInt(6)).Select(_ => 4 + rng.NextInt(vocabulary - 4)).ToArray()).ToArray();
        var targets = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, rng.NextInt(6)).Select(_ => 4 + rng.NextInt(targetVocabulary - 4)).ToArray()).ToArray();
        return PairBatch.Pad(sources, targets, Enumerable.Range(0, rows).ToArray(), padId: 0, bosId: 2, eosId: 3);
    }
}
