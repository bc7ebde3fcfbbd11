using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// A training step of <see cref="TranslationTask{T}"/>, whole or one micro-batch part, allocates only the model's loss and
/// backward (and a part's scaling): the epoch's batches are ordered longest target first once, when the plan is made, and
/// each part refills a padded batch of its own. Pairs of equal lengths make every batch the same shape; each side is the
/// smallest of three readings of 20 steps after warm-up.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class TranslationTaskAllocationTests(ITestOutputHelper output)
{
    private const int B = 8;

    [Fact]
    public void TrainingStep_AllocatesOnlyTheModelsLossAndBackward()
    {
        var sources = Enumerable.Range(0, 5 * B).Select(i => new[] { 4 + i % 7, 5, 6, 7 }).ToList();
        var targets = sources.Select(s => s.Reverse().ToArray()).ToList();
        var model = new Seq2Seq<float>(new Seq2SeqConfig(12, 12, 4, 6, Attention: AttentionKind.LuongGeneral), new SeededRng(2));
        var specials = ReverseTaskTests.Specials;
        var task = new TranslationTask<float>(model, sources, targets, null, null, specials, B, seed: 3);
        var context = new LayerContext(new SeededRng(1));
        int batch = 0;
        long step = AllocationMeter.PerStep(output, "TrainingLoss + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, context).Loss.Backward());
        long partStep = AllocationMeter.PerStep(output, "TrainingLoss part 0 of 2 + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, 0, 2, context).Loss.Backward());
        var pairs = PairBatch.Pad(sources, targets, [0, 1, 2, 3, 4, 5, 6, 7], specials.Pad, specials.Bos, specials.Eos);
        var half = PairBatch.Pad(sources, targets, [0, 1, 2, 3], specials.Pad, specials.Bos, specials.Eos);
        long bare = AllocationMeter.PerStep(output, "model Loss + Backward", () => model.Loss(pairs, context).Backward());
        long barePart = AllocationMeter.PerStep(output, "model Loss (sum) of half the rows, scaled, + Backward",
            () => Ops.MulScalar(model.Loss(half, context, Reduction.Sum), 0.5f).Backward());
        Assert.Equal(bare, step);
        Assert.Equal(barePart, partStep);
    }
}
