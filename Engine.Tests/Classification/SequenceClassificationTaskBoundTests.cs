using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Classification;

public sealed class SequenceClassificationTaskBoundTests
{
    /// <summary>
    /// The divergence bound is 10 · ln C for the model's C classes, read from its last Linear: a training part that holds
    /// only labels 0 and 1 of a 5-class model still gets 10 · ln 5 = 16.1 (the labels alone would give 10 · ln 2 = 6.9, so
    /// a loss between the two, under ten times the uniform 5-class model's ln 5, would count as diverged).
    /// </summary>
    [Fact]
    public void DivergedLoss_CountsTheModelsClasses_NotOnlyTheTrainingLabels()
    {
        var sequences = Enumerable.Range(0, 6).Select(i => new[] { 2 + i, 3 + i }).ToArray();
        var labels = sequences.Select((_, i) => i % 2).ToArray();
        var model = new Sequential<double>(
            new Embedding<double>(16, 3, new SeededRng(1)),
            new MaskedMaxPool<double>(),
            new Linear<double>(3, 5, new SeededRng(2)));
        var task = new SequenceClassificationTask<double>(model, new LabeledSequences(sequences, labels), null, batchSize: 2, seed: 1);
        Assert.Equal(10 * Math.Log(5), task.DivergedLoss!.Value, 12);
    }

    [Fact]
    public void TrainingLoss_BatchOrEpochOutOfRange_ThrowsNamingIt()
    {
        var sequences = Enumerable.Range(0, 6).Select(i => new[] { 2 + i, 3 + i }).ToArray();
        var model = new Sequential<double>(new Embedding<double>(16, 3, new SeededRng(1)), new MaskedMaxPool<double>(), new Linear<double>(3, 2, new SeededRng(2)));
        var task = new SequenceClassificationTask<double>(model, new LabeledSequences(sequences, sequences.Select((_, i) => i % 2).ToArray()), null, batchSize: 2, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(0, 999, new LayerContext()));
        Assert.Equal("batch", e.ParamName);
        Assert.Contains("batch 999 is outside [0, 3)", e.Message);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(0, -1, new LayerContext())).ParamName);
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(-1, 0, new LayerContext())).ParamName);
    }
}
