using SeqLearn.Classification;
using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Classification;

public class WordDropoutTests
{
    private static int[][] Sequences(int n, ulong seed)
    {
        var rng = new SeededRng(seed);
        return [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 1 + rng.NextInt(40)).Select(_ => 2 + rng.NextInt(50)).ToArray())];
    }

    [Fact]
    public void DropWords_ReplacesAboutPOfTheValidWords_AndNeverPadding()
    {
        var sequences = Sequences(300, 1);
        int[] rows = [.. Enumerable.Range(0, sequences.Length)];
        var original = TokenBatch.Pad(sequences, rows, padId: 0);
        var dropped = TokenBatch.Pad(sequences, rows, padId: 0);
        SequenceClassificationTask<float>.DropWords(dropped, 0.3, unknownId: 1, new SeededRng(9));
        int valid = 0, replaced = 0;
        for (int b = 0; b < original.BatchSize; b++)
            for (int t = 0; t < original.Steps; t++)
            {
                int i = b * original.Steps + t;
                if (!original.IsValid(b, t)) { Assert.Equal(0, dropped.Ids[i]); continue; }
                valid++;
                if (dropped.Ids[i] != original.Ids[i]) { Assert.Equal(1, dropped.Ids[i]); replaced++; }
            }
        Assert.InRange((double)replaced / valid, 0.27, 0.33);   // n ≈ 6,000: 3 standard deviations ≈ 0.018
    }

    [Fact]
    public void DropWords_SameGenerator_SameWords_AnotherGenerator_OtherWords()
    {
        var sequences = Sequences(50, 2);
        int[] rows = [.. Enumerable.Range(0, sequences.Length)];
        int[] Dropped(ulong seed)
        {
            var batch = TokenBatch.Pad(sequences, rows, padId: 0);
            SequenceClassificationTask<float>.DropWords(batch, 0.2, unknownId: 1, new SeededRng(seed));
            return batch.Ids;
        }
        Assert.Equal(Dropped(4), Dropped(4));
        Assert.NotEqual(Dropped(4), Dropped(5));
    }

    private static SequenceClassificationTask<double> Task(double wordDropout)
    {
        var sequences = Sequences(40, 3);
        var labels = sequences.Select(s => s[0] % 2).ToArray();
        var model = new Sequential<double>(
            new Embedding<double>(52, 4, new SeededRng(1)),
            RecurrentLayer<double>.Create(RecurrentCell.Gru, 4, 5, new SeededRng(2)),
            new MaskedMaxPool<double>(),
            new Linear<double>(5, 2, new SeededRng(3)));
        return new SequenceClassificationTask<double>(model, new LabeledSequences(sequences, labels), null, batchSize: 8, seed: 7)
        {
            WordDropout = wordDropout, UnknownId = 1,
        };
    }

    [Fact]
    public void TrainingLoss_WithWordDropout_IsFixedByEpochAndBatch_AndDiffersFromAllWords()
    {
        var task = Task(0.5);
        double Loss(SequenceClassificationTask<double> t, int epoch, int batch) => t.TrainingLoss(epoch, batch, LayerContext.None).Loss.Value.Span[0];
        Assert.Equal(Loss(task, 0, 1), Loss(task, 0, 1));
        Assert.Equal(Loss(task, 1, 2), Loss(Task(0.5), 1, 2));
        Assert.NotEqual(Loss(task, 0, 1), Loss(Task(0), 0, 1));
    }

    [Fact]
    public void TrainingLoss_WithWordDropout_OnBatchesRefilledStepAfterStep_EqualsAFreshTasks_WholeAndInParts()
    {
        var task = Task(0.3);
        for (int epoch = 0; epoch < 3; epoch++)
            for (int b = 0; b < task.BatchesPerEpoch; b++)
            {
                Assert.Equal(Task(0.3).TrainingLoss(epoch, b, LayerContext.None).Loss.Value.Span[0], task.TrainingLoss(epoch, b, LayerContext.None).Loss.Value.Span[0]);
                for (int part = 0; part < 2; part++)
                    Assert.Equal(Task(0.3).TrainingLoss(epoch, b, part, 2, LayerContext.None).Loss.Value.Span[0], task.TrainingLoss(epoch, b, part, 2, LayerContext.None).Loss.Value.Span[0]);
            }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void WordDropout_OutsideZeroToOne_IsRefused(double p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Task(p));

    [Fact]
    public void Build_EmbeddingStd_ScalesOnlyTheWordVectors()
    {
        var unit = new RecurrentClassifierOptions(Embedding: 6, Hidden: 4, EmbeddingStd: 1).Build(30, 2);
        var small = new RecurrentClassifierOptions(Embedding: 6, Hidden: 4, EmbeddingStd: 0.1).Build(30, 2);
        var u = unit.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value.Value.Span.ToArray());
        foreach (var (name, p) in small.NamedParameters())
        {
            float[] expected = name.EndsWith("weight", StringComparison.Ordinal) && name.StartsWith("0.", StringComparison.Ordinal)
                ? [.. u[name].Select(x => x * 0.1f)]
                : u[name];
            Assert.Equal(expected, p.Value.Span.ToArray());
        }
        Assert.True(small.NamedParameters().First().Value.Value.Span.ToArray().Select(Math.Abs).Max() < 1, "N(0, 0.01) values over 180 draws stay under 1");
    }
}
