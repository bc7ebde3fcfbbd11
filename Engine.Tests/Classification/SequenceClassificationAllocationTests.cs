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
/// A training step of <see cref="SequenceClassificationTask{T}"/> allocates only the model's forward, loss and backward
/// and the inputs they read: the padded batch (<see cref="TokenBatch.Pad"/>) and the labels array, no LINQ. Sequences of
/// equal length make every batch the same shape; each side is the smallest of three readings of 20 steps after warm-up.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class SequenceClassificationAllocationTests(ITestOutputHelper output)
{
    private const int B = 8, T = 5, Steps = 20;

    private long PerStep(string name, Action step)
    {
        long bytes = AllocationMeter.PerStep(step, Steps);
        output.WriteLine($"{name}: {bytes} B/step");
        return bytes;
    }

    [Fact]
    public void TrainingStep_AllocatesOnlyTheModelsLossBackwardPaddedBatchAndLabels()
    {
        int[][] sequences = [.. Enumerable.Range(0, 5 * B).Select(i => new[] { 2 + i % 9, 3, 4, 5, 6 })];
        var labels = sequences.Select(s => s[0] % 3).ToArray();
        var model = new Sequential<float>(new Embedding<float>(12, 4, new SeededRng(1)),
            RecurrentLayer<float>.Create(RecurrentCell.Lstm, 4, 5, new SeededRng(2), new RecurrentOptions()), new MaskedMeanPool<float>(), new Linear<float>(5, 3, new SeededRng(3)));
        var task = new SequenceClassificationTask<float>(model, new LabeledSequences(sequences, labels), null, B, seed: 7);
        var context = new LayerContext(new SeededRng(1));
        int batch = 0;
        long step = PerStep("TrainingLoss + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, context).Loss.Backward());
        int[] rows = [0, 1, 2, 3, 4, 5, 6, 7];
        var tokens = TokenBatch.Pad(sequences, rows, 0);
        var batchLabels = labels[..B];
        long bare = PerStep("model loss + Backward", () =>
            Ops.SoftmaxCrossEntropy(model.Forward(tokens.Ids, B, T, context with { Lengths = tokens.Lengths }), batchLabels).Backward());
        long inputs = PerStep("TokenBatch.Pad and labels", () => { TokenBatch.Pad(sequences, rows, 0); _ = new int[B]; });
        Assert.Equal(bare + inputs, step);
    }
}
