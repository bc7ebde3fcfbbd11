using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Classification;

/// <summary>
/// docs/classification.md ("a sentence gets the same probabilities alone and inside a batch") and docs/masking.md for
/// the classifier that <see cref="RecurrentClassifierOptions.Build"/> makes (embedding → dropout → (bi)recurrent layer →
/// Max/Mean/Last pooling → dropout → linear): every sentence's probabilities are the same bits alone, in batches of
/// any size, on 1, 2 or 3 threads and through an ensemble; in evaluation mode so is the gradient of a loss that reads
/// only that sentence; and word dropout touches training batches only.
/// </summary>
public class RecurrentClassifierBatchIdentityTests
{
    private const int Vocabulary = 23, Classes = 3;

    internal sealed record Case(RecurrentCell Cell, SequencePooling Pooling, bool Bidirectional, int Embedding, int Hidden, int BatchSize, int Threads, int Seed);

    private static Arbitrary<Case> Cases() =>
        (from cell in Gen.Elements(RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.Rnn)
         from pooling in Gen.Elements(SequencePooling.Max, SequencePooling.Mean, SequencePooling.Last)
         from bidirectional in Gen.Elements(false, true)
         from embedding in Gen.Elements(1, 4, 9)
         from hidden in Gen.Elements(1, 2, 6, 13)
         from batchSize in Gen.Choose(2, 50)
         from threads in Gen.Choose(2, 3)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(cell, pooling, bidirectional, embedding, hidden, batchSize, threads, seed)).ToArbitrary();

    private static string[] Words => [.. Enumerable.Range(0, Vocabulary - 2).Select(i => $"w{i}")];

    private static string[][] Sentences(int n, SeededRng rng) =>
        [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, rng.NextInt(rng.NextInt(4) == 0 ? 40 : 12)).Select(_ => rng.NextInt(5) == 0 ? "unseen" : $"w{rng.NextInt(Vocabulary - 2)}").ToArray())];

    private static RecurrentClassifierOptions Options(Case c) =>
        new(c.Cell, c.Embedding, c.Hidden, c.Bidirectional, c.Pooling, Dropout: 0.4, Seed: (ulong)c.Seed, WordDropout: 0.3, EmbeddingStd: 1);

    [Fact]
    public void SentenceAloneEqualsSentenceInAnyBatch_OnAnyThreadCount_AndInAnEnsemble()
    {
        Check.One(FsCheckReplay.Fixed(20261207, 40), Prop.ForAll(Cases(), c =>
        {
            var sentences = Sentences(60, new SeededRng((ulong)c.Seed + 1));
            using var pool = new WorkerPool(c.Threads);
            var model = Options(c).Build(Vocabulary, Classes);
            var batched = new RecurrentSentenceClassifier(model, Words, ["a", "b", "c"], c.BatchSize, pool);
            var alone = new RecurrentSentenceClassifier(model, Words, ["a", "b", "c"], 1);
            double[][] expected = batched.PredictProbabilities(sentences);
            Assert.Equal(expected, alone.PredictProbabilities(sentences));
            Assert.Equal(expected, new RecurrentSentenceClassifier(model, Words, ["a", "b", "c"], 50).PredictProbabilities(sentences));
            for (int i = 0; i < sentences.Length; i += 6)
                Assert.Equal(expected[i], batched.PredictProbabilities([sentences[i]])[0]);

            var other = new RecurrentSentenceClassifier((Options(c) with { Seed = (ulong)c.Seed + 7 }).Build(Vocabulary, Classes), Words, ["a", "b", "c"], c.BatchSize, pool);
            var ensemble = new RecurrentEnsembleClassifier([batched, other]);
            double[][] mixed = ensemble.PredictProbabilities(sentences);
            for (int i = 0; i < sentences.Length; i += 4)
                Assert.Equal(mixed[i], ensemble.PredictProbabilities([sentences[i]])[0]);
        }));
    }

    [Fact]
    public void EvaluationMode_LossOfOneSentence_GradientsAloneEqualInAPaddedBatch()
    {
        Check.One(FsCheckReplay.Fixed(20261208, 30), Prop.ForAll(Cases(), c =>
        {
            var rng = new SeededRng((ulong)c.Seed + 2);
            var model = Options(c).Build(Vocabulary, Classes);
            model.Eval();
            int batch = 1 + c.BatchSize % 30;
            int[] lengths = [.. Enumerable.Range(0, batch).Select(_ => 1 + rng.NextInt(c.Seed % 2 == 0 ? 30 : 9))];
            int steps = lengths.Max();
            int[] ids = [.. Enumerable.Range(0, batch * steps).Select(_ => rng.NextInt(Vocabulary))];   // padding holds valid ids
            int[] labels = [.. Enumerable.Range(0, batch).Select(_ => rng.NextInt(Classes))];
            using var pool = new WorkerPool(c.Threads);
            var names = model.NamedParameters().Select(p => p.Key).ToArray();
            foreach (int b in new[] { 0, batch - 1, rng.NextInt(batch), rng.NextInt(batch) }.Distinct())
            {
                model.ZeroGrad();
                var one = model.Forward(ids.AsSpan(b * steps, lengths[b]), 1, lengths[b], new LayerContext(Lengths: [lengths[b]]));
                var lossAlone = Ops.SoftmaxCrossEntropy(one, [labels[b]]);
                lossAlone.Backward();
                var gradsAlone = model.Parameters().Select(p => p.Grad!.Clone()).ToArray();
                foreach (var p in new[] { null, pool })
                {
                    model.ZeroGrad();
                    var all = model.Forward(ids, batch, steps, new LayerContext(Lengths: lengths, Pool: p));
                    var loss = Ops.SoftmaxCrossEntropy(Ops.Slice(all, 0, b, 1), [labels[b]]);
                    loss.Backward();
                    string what = $"{c}, row {b} of {batch} (len {lengths[b]}), {(p is null ? 1 : c.Threads)} threads";
                    TensorAssert.BitEqual<float>(lossAlone.Value.Span, loss.Value.Span, what + ": loss");
                    var grads = model.Parameters().Select(q => q.Grad!).ToArray();
                    for (int i = 0; i < names.Length; i++)
                        TensorAssert.BitEqual<float>(gradsAlone[i].Span, grads[i].Span, $"{what}: gradient of {names[i]}");
                }
            }
        }));
    }

    [Fact]
    public void WordDropout_ChangesTrainingBatchesOnly_NotScoresOrPredictions()
    {
        var c = new Case(RecurrentCell.Gru, SequencePooling.Mean, true, 4, 5, 4, 2, 17);
        var rng = new SeededRng(3);
        var sequences = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 1 + rng.NextInt(7)).Select(_ => 2 + rng.NextInt(Vocabulary - 2)).ToArray()).ToArray();
        var data = new LabeledSequences(sequences, [.. Enumerable.Range(0, 12).Select(i => i % Classes)]);
        var model = Options(c).Build(Vocabulary, Classes);
        var plain = new SequenceClassificationTask<float>(model, data, null, 4, 9);
        var dropping = new SequenceClassificationTask<float>(model, data, null, 4, 9) { WordDropout = 0.5 };
        model.Train();
        float Loss(SequenceClassificationTask<float> task) => task.TrainingLoss(0, 1, new LayerContext(Rng: new SeededRng(4))).Loss.Value.Span[0];
        Assert.NotEqual(Loss(plain), Loss(dropping));
        model.Eval();
        using var noGrad = new NoGradScope();
        Assert.Equal(plain.Score(data, null), dropping.Score(data, null));
        Assert.Equal(plain.Predict(sequences, null), dropping.Predict(sequences, null));
    }

    [Theory]
    [InlineData(RecurrentCell.Gru, SequencePooling.Mean, 1)]
    [InlineData(RecurrentCell.Lstm, SequencePooling.Last, 2)]
    [InlineData(RecurrentCell.Rnn, SequencePooling.Max, 3)]
    public void Training_WithDropoutWordDropoutAndMicroBatches_IsBitIdenticalOnOneTwoAndThreeThreads(RecurrentCell cell, SequencePooling pooling, int microBatches)
    {
        var rng = new SeededRng(21);
        string[][] sentences = [.. Sentences(90, rng).Select(s => s.Length == 0 ? ["w0"] : s)];
        int[] labels = [.. sentences.Select(s => s.Length % 2)];
        var data = new LabeledSentences(sentences, labels, ["even", "odd"]);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 3, 1).Fold(data, 0);
        var options = new RecurrentClassifierOptions(cell, Embedding: 5, Hidden: 4, Bidirectional: true, pooling, Dropout: 0.3, WordDropout: 0.2);
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 8, LearningRate = 0.01, MicroBatches = microBatches };
        double[][] Probabilities(int threads)
        {
            using var pool = new WorkerPool(threads);
            return new RecurrentClassifierFactory(options, training, pool).Train(fold).PredictProbabilities(fold.Test.Sentences);
        }
        var one = Probabilities(1);
        Assert.Equal(one, Probabilities(2));
        Assert.Equal(one, Probabilities(3));
    }
}
