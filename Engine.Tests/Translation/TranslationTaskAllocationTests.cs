using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// A training step of <see cref="TranslationTask{T}"/> allocates only the model's loss and backward and the padded batch
/// they read (<see cref="PairBatch.Pad"/>): the epoch's batches are ordered longest target first once, when the plan is
/// made, not per step. Pairs of equal lengths make every batch the same shape; each side is the smallest of three readings
/// of 20 steps after warm-up.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class TranslationTaskAllocationTests(ITestOutputHelper output)
{
    private const int B = 8, Steps = 20;

    private long PerStep(string name, Action step)
    {
        long bytes = AllocationMeter.PerStep(step, Steps);
        output.WriteLine($"{name}: {bytes} B/step");
        return bytes;
    }

    [Fact]
    public void TrainingStep_AllocatesOnlyTheModelsLossBackwardAndPaddedBatch()
    {
        var sources = Enumerable.Range(0, 5 * B).Select(i => new[] { 4 + i % 7, 5, 6, 7 }).ToList();
        var targets = sources.Select(s => s.Reverse().ToArray()).ToList();
        var model = new Seq2Seq<float>(new Seq2SeqConfig(12, 12, 4, 6, Attention: AttentionKind.LuongGeneral), new SeededRng(2));
        var specials = ReverseTaskTests.Specials;
        var task = new TranslationTask<float>(model, sources, targets, null, null, specials, B, seed: 3);
        var context = new LayerContext(new SeededRng(1));
        int batch = 0;
        long step = PerStep("TrainingLoss + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, context).Loss.Backward());
        int[] rows = [0, 1, 2, 3, 4, 5, 6, 7];
        var pairs = PairBatch.Pad(sources, targets, rows, specials.Pad, specials.Bos, specials.Eos);
        long bare = PerStep("model Loss + Backward", () => model.Loss(pairs, context).Backward());
        long pad = PerStep("PairBatch.Pad", () => PairBatch.Pad(sources, targets, rows, specials.Pad, specials.Bos, specials.Eos));
        Assert.Equal(bare + pad, step);
    }
}
