using SeqLearn.Autograd;
using SeqLearn.Classification;
using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Classification;

/// <summary>
/// A training step of <see cref="SequenceClassificationTask{T}"/> with word dropout, whole or one micro-batch part, allocates
/// only the model's forward, loss and backward (and a part's scaling): each part refills a padded batch, labels and a
/// word-dropout generator of its own, and the parts' split is made with the epoch's plan, no LINQ per step. Sequences of
/// equal length make every batch the same shape; each side is the smallest of three readings of 20 steps after warm-up.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class SequenceClassificationAllocationTests(ITestOutputHelper output)
{
    private const int B = 8, T = 5;

    [Fact]
    public void TrainingStep_AllocatesOnlyTheModelsLossAndBackward()
    {
        int[][] sequences = [.. Enumerable.Range(0, 5 * B).Select(i => new[] { 2 + i % 9, 3, 4, 5, 6 })];
        var labels = sequences.Select(s => s[0] % 3).ToArray();
        var model = new Sequential<float>(new Embedding<float>(12, 4, new SeededRng(1)),
            RecurrentLayer<float>.Create(RecurrentCell.Lstm, 4, 5, new SeededRng(2), new RecurrentOptions()), new MaskedMeanPool<float>(), new Linear<float>(5, 3, new SeededRng(3)));
        var task = new SequenceClassificationTask<float>(model, new LabeledSequences(sequences, labels), null, B, seed: 7) { WordDropout = 0.2 };
        var context = new LayerContext(new SeededRng(1));
        int batch = 0;
        long step = AllocationMeter.PerStep(output, "TrainingLoss + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, context).Loss.Backward());
        long partStep = AllocationMeter.PerStep(output, "TrainingLoss part 0 of 2 + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, 0, 2, context).Loss.Backward());
        var tokens = TokenBatch.Pad(sequences, [0, 1, 2, 3, 4, 5, 6, 7], 0);
        var half = TokenBatch.Pad(sequences, [0, 1, 2, 3], 0);
        var batchLabels = labels[..B];
        var halfLabels = labels[..(B / 2)];
        long bare = AllocationMeter.PerStep(output, "model loss + Backward", () =>
            Ops.SoftmaxCrossEntropy(model.Forward(tokens.Ids, B, T, context with { Lengths = tokens.Lengths }), batchLabels).Backward());
        long barePart = AllocationMeter.PerStep(output, "model loss of half the rows, scaled, + Backward", () =>
            Ops.MulScalar(Ops.SoftmaxCrossEntropy(model.Forward(half.Ids, B / 2, T, context with { Lengths = half.Lengths }), halfLabels), 0.5f).Backward());
        Assert.Equal(bare, step);
        Assert.Equal(barePart, partStep);
    }
}
