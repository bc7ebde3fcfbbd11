using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// docs/training.md §4 for training: the summed cross-entropy of one pair, computed alone and inside a padded batch (every
/// other pair's targets ignored, so they add exact zeros), gives the same loss and bit-identical gradients of every
/// parameter. Random batches of 1–40 pairs with random lengths, every attention, both cells, 1–3 layers, uni- and
/// bidirectional encoders, 1–4 threads (docs/masking.md §3.3).
/// </summary>
public sealed class Seq2SeqGradientIdentityTests
{
    private const int Vocabulary = 14;

    internal sealed record Case(AttentionKind Attention, RecurrentCell Cell, bool Bidirectional, bool Feed, int Layers, int Batch, int MaxLength, int Threads, int Seed)
    {
        public override string ToString() =>
            $"{Attention} {Cell} D{(Bidirectional ? 2 : 1)} feed {Feed} L{Layers} B{Batch} len ≤ {MaxLength} threads {Threads} seed {Seed}";
    }

    private static Arbitrary<Case> Cases() =>
        (from attention in Gen.Elements(AttentionKind.None, AttentionKind.Bahdanau, AttentionKind.LuongDot, AttentionKind.LuongGeneral)
         from cell in Gen.Elements(RecurrentCell.Gru, RecurrentCell.Lstm)
         from bidirectional in Gen.Elements(false, true)
         from feed in Gen.Elements(false, true)
         from layers in Gen.Choose(1, 3)
         from batch in Gen.Elements(1, 2, 7, 33, 40)
         from maxLength in Gen.Elements(3, 12, 20)
         from threads in Gen.Choose(1, 4)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(attention, cell, bidirectional && attention != AttentionKind.LuongDot, feed && attention is AttentionKind.LuongDot or AttentionKind.LuongGeneral, layers, batch, maxLength, threads, seed))
        .ToArbitrary();

    [Fact]
    public void SummedLossOfOnePair_AloneAndInsideAPaddedBatch_BitIdenticalGradients()
    {
        Check.One(FsCheckReplay.Fixed(20261208, 40), Prop.ForAll(Cases(), c =>
        {
            var rng = new SeededRng((ulong)c.Seed);
            var (sources, targets) = (Sequences(c.Batch, 1, c.MaxLength, rng), Sequences(c.Batch, 0, c.MaxLength, rng));
            var model = Model(c);
            using var pool = c.Threads > 1 ? new WorkerPool(c.Threads) : null;
            foreach (int row in Rows(c.Batch, rng))
                AssertRowAloneEqualsRowInBatch(model, sources, targets, row, pool, c.ToString());
        }));
    }

    /// <summary>
    /// The bridge maps the encoder's final states (L, B, D·H) of every layer through one Linear, whose weight gradient sums
    /// the L·B rows. With L·B &gt; 320 that sum runs in k slices of 256: a pair's L terms (rows b, B + b, …) fall into two
    /// slices for most b in the batch but form one chain alone.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Gru, 2, 200)]
    [InlineData(RecurrentCell.Lstm, 3, 120)]
    public void ManyPairsAndLayers_BridgeGradientOfAPairAloneEqualsInTheBatch(RecurrentCell cell, int layers, int batch)
    {
        var c = new Case(AttentionKind.LuongGeneral, cell, true, false, layers, batch, 4, 1, 5);
        var rng = new SeededRng(17);
        var (sources, targets) = (Sequences(batch, 1, c.MaxLength, rng), Sequences(batch, 0, c.MaxLength, rng));
        var model = Model(c);
        foreach (int row in new[] { 0, 60, batch / 2 + 1, batch - 1 })
            AssertRowAloneEqualsRowInBatch(model, sources, targets, row, null, c.ToString());
    }

    /// <summary>
    /// Sources (and targets) longer than 320 steps: the attention's key projection (W_k of Bahdanau, W_a of Luong general),
    /// the fused Bahdanau decoder's W_ic and the decoder's step weights sum their weight gradients over each pair's S (or U)
    /// steps, so a pair of 257–320 steps padded to more than 320 would be two GEMM k slices in the batch and one alone; its
    /// padded steps have zero gradient rows, which the products leave out (docs/masking.md §3.4).
    /// </summary>
    [Theory]
    [InlineData(AttentionKind.Bahdanau, RecurrentCell.Gru, 1, false)]
    [InlineData(AttentionKind.Bahdanau, RecurrentCell.Lstm, 2, true)]
    [InlineData(AttentionKind.LuongGeneral, RecurrentCell.Lstm, 2, false)]
    [InlineData(AttentionKind.None, RecurrentCell.Gru, 1, true)]
    public void SequencesLongerThanOneSlice_APairOf257To320StepsAloneEqualsInTheBatch(AttentionKind attention, RecurrentCell cell, int threads, bool longTargets)
    {
        var c = new Case(attention, cell, true, false, 1, 3, 4, threads, 9);
        var rng = new SeededRng(23);
        List<int[]> sources = [.. new[] { 335, 300, 12 }.Select(n => Enumerable.Range(0, n).Select(_ => 4 + rng.NextInt(Vocabulary - 4)).ToArray())];
        var targets = longTargets
            ? [.. new[] { 330, 299, 3 }.Select(n => Enumerable.Range(0, n).Select(_ => 4 + rng.NextInt(Vocabulary - 4)).ToArray())]
            : Sequences(3, 1, c.MaxLength, rng);
        var model = Model(c);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        foreach (int row in new[] { 1, 0, 2 })
            AssertRowAloneEqualsRowInBatch(model, sources, targets, row, pool, c.ToString());
    }

    private static Seq2Seq<float> Model(Case c) =>
        new(new Seq2SeqConfig(Vocabulary, Vocabulary, EmbeddingSize: 6, HiddenSize: 5, NumLayers: c.Layers, Cell: c.Cell, Bidirectional: c.Bidirectional,
            Attention: c.Attention, InputFeeding: c.Feed, AttentionSize: 3), new SeededRng((ulong)c.Seed + 1));

    private static void AssertRowAloneEqualsRowInBatch(Seq2Seq<float> model, List<int[]> sources, List<int[]> targets, int row, WorkerPool? pool, string what)
    {
        var specials = ReverseTaskTests.Specials;
        var all = PairBatch.Pad(sources, targets, Enumerable.Range(0, sources.Count).ToArray(), specials.Pad, specials.Bos, specials.Eos);
        int u = all.DecoderInput.Steps;
        int[] onlyRow = [.. all.DecoderTargets.Select((t, i) => i / u == row ? t : -100)];
        var (batchLoss, batchGrads) = Run(model, all with { DecoderTargets = onlyRow }, pool);
        var (aloneLoss, aloneGrads) = Run(model, PairBatch.Pad(sources, targets, [row], specials.Pad, specials.Bos, specials.Eos), pool);
        string at = $"{what}, pair {row} (source {sources[row].Length}, target {targets[row].Length})";
        Assert.True(BitConverter.SingleToInt32Bits(aloneLoss) == BitConverter.SingleToInt32Bits(batchLoss), $"{at}: loss {aloneLoss:R} alone, {batchLoss:R} in the batch");
        foreach (var (name, grad) in aloneGrads)
            TensorAssert.BitEqual<float>(grad, batchGrads[name], $"{at}: gradient of {name}");
    }

    private static (float Loss, Dictionary<string, float[]> Grads) Run(Seq2Seq<float> model, PairBatch batch, WorkerPool? pool)
    {
        model.ZeroGrad();
        var loss = model.Loss(batch, new LayerContext(Pool: pool), Reduction.Sum);
        loss.Backward();
        return (loss.Value.Span[0], model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad?.ToArray() ?? []));
    }

    private static List<int[]> Sequences(int count, int minLength, int maxLength, SeededRng rng) =>
        [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, minLength + rng.NextInt(maxLength - minLength + 1)).Select(_ => 4 + rng.NextInt(Vocabulary - 4)).ToArray())];

    /// <summary>The first and last pair and two others.</summary>
    private static int[] Rows(int batch, SeededRng rng) => [.. new[] { 0, batch - 1, rng.NextInt(batch), rng.NextInt(batch) }.Distinct()];
}
