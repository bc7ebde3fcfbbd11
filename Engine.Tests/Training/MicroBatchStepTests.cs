using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Translation;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Training;

/// <summary>
/// Micro-batches (<see cref="TrainingOptions.MicroBatches"/>): the parts' losses and gradients add up to the whole batch's,
/// a part's gradient stays out of the parameters' own, and a run gives the same values on 1, 2 and 4 threads.
/// </summary>
public sealed class MicroBatchStepTests
{
    private static (Seq2Seq<T> Model, TranslationTask<T> Task) Make<T>(int batchSize, double dropout = 0, ulong modelSeed = 2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var model = new Seq2Seq<T>(new Seq2SeqConfig(12, 12, 4, 6, Attention: AttentionKind.Bahdanau, Bidirectional: true, Dropout: dropout),
            new SeededRng(modelSeed));
        var (src, tgt) = ReverseTaskTests.Reverse(60, 1);
        var (vs, vt) = ReverseTaskTests.Reverse(8, 2);
        return (model, new TranslationTask<T>(model, src, tgt, vs, vt, ReverseTaskTests.Specials, batchSize, 5) { LabelSmoothing = 0.3 });
    }

    [Fact]
    public void TranslationParts_LossesAndGradientsAddUpToTheWholeBatch_AndPartOneStaysOutOfTheParametersGradients()
    {
        var (model, task) = Make<double>(batchSize: 9);
        var parameters = model.Parameters().ToArray();
        var context = new LayerContext();
        for (int batch = 0; batch < 3; batch++)
            Assert.True(TrainerTestSupport.PartsAddUp(parameters, () => task.TrainingLoss(0, batch, context), part => task.TrainingLoss(0, batch, part, 2, context)),
                "part 1's gradient reached the parameters' own gradients");
    }

    [Fact]
    public void Training_WithTwoParts_IsBitIdenticalOnOneTwoAndFourThreads_AndDiffersFromOnePart()
    {
        long[] Run(int threads, int parts, out float[] weights)
        {
            var (model, task) = Make<float>(batchSize: 8, dropout: 0.2);
            using var pool = new WorkerPool(threads);
            var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 9, MicroBatches = parts, LearningRate = 0.01, Seed = 4 }, pool).Train();
            weights = model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();
            return TrainerTestSupport.Bits(result.StepLosses);
        }
        var one = Run(1, 2, out var w1);
        Assert.Equal(one, Run(2, 2, out var w2));
        Assert.Equal(one, Run(4, 2, out var w4));   // each part on a pool of its own two threads
        Assert.Equal(w1.Select(BitConverter.SingleToInt32Bits), w2.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(w1.Select(BitConverter.SingleToInt32Bits), w4.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(one, Run(2, 1, out _));       // other dropout draws and summation order: another run
    }

    [Fact]
    public void Training_BatchesWithFewerRowsThanParts_RunTheEmptyPartsAsNothing()
    {
        var (model, task) = Make<float>(batchSize: 1);
        using var pool = new WorkerPool(2);
        var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 4, MicroBatches = 3, LearningRate = 0.01 }, pool).Train();
        Assert.All(result.StepLosses, l => Assert.True(double.IsFinite(l) && l > 0));
        var (plainModel, plainTask) = Make<float>(batchSize: 1);
        var plain = new Trainer<float>(plainModel, plainTask, new TrainingOptions { MaxSteps = 4, LearningRate = 0.01 }, pool).Train();
        Assert.Equal(plain.StepLosses[0], result.StepLosses[0], 5);   // one row: part 0 is the batch (float sum vs mean)
    }

    [Fact]
    public void Resume_ContinuesBitExactly_AndWithAnotherNumberOfParts_IsRefused()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("micro-batches-resume");
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = 6, MicroBatches = 2, LearningRate = 0.01, Seed = 3 };
        var (m0, t0) = Make<float>(batchSize: 8, dropout: 0.2);
        var straight = new Trainer<float>(m0, t0, options, pool).Train();
        var (m1, t1) = Make<float>(batchSize: 8, dropout: 0.2);
        var first = new Trainer<float>(m1, t1, options with { MaxSteps = 3, CheckpointDirectory = tmp.Path }, pool).Train();
        var (m2, t2) = Make<float>(batchSize: 8, dropout: 0.2);
        var other = new Trainer<float>(m2, t2, options with { MicroBatches = 1 }, pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => other.Resume(tmp.Combine("last")));
        Assert.Contains("2 micro-batch(es)", e.Message);
        var (m3, t3) = Make<float>(batchSize: 8, dropout: 0.2, modelSeed: 77);
        var resumed = new Trainer<float>(m3, t3, options, pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(3, resumed.Step);
        var second = resumed.Train();
        Assert.Equal(TrainerTestSupport.Bits(straight.StepLosses), TrainerTestSupport.Bits(first.StepLosses.Concat(second.StepLosses)));
    }

    [Fact]
    public void Options_PartsOutOfRange_OrATaskThatCannotSplit_AreRefused()
    {
        Assert.Contains("micro-batches", Assert.Throws<ArgumentException>(() => new TrainingOptions { MaxSteps = 1, MicroBatches = 0 }.Validate()).Message);
        Assert.Contains("micro-batches", Assert.Throws<ArgumentException>(() => new TrainingOptions { MaxSteps = 1, MicroBatches = 65 }.Validate()).Message);
        var (vocabulary, train, valid) = TrainerTestSupport.Corpus(2_000);
        var model = TrainerTestSupport.Model(vocabulary.Count);
        using var pool = new WorkerPool(1);
        var task = new WholeBatchesOnly(new SeqLearn.LanguageModeling.LanguageModelTask<float>(model, train, valid, 4, 8));
        var e = Assert.Throws<ArgumentException>(() => new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 1, MicroBatches = 2 }, pool));
        Assert.Contains("IMicroBatchedTask", e.Message);
    }

    /// <summary>A task seen only through <see cref="ITrainingTask{T}"/>: it cannot split its batches.</summary>
    private sealed class WholeBatchesOnly(ITrainingTask<float> inner) : ITrainingTask<float>
    {
        public int BatchesPerEpoch => inner.BatchesPerEpoch;
        public TaskLoss<float> TrainingLoss(int epoch, int batch, LayerContext context) => inner.TrainingLoss(epoch, batch, context);
        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool) => inner.Evaluate(pool);
        public System.Text.Json.Nodes.JsonObject? ModelConfig => inner.ModelConfig;
        public System.Text.Json.Nodes.JsonNode? Vocabulary => inner.Vocabulary;
        public System.Text.Json.Nodes.JsonObject? SaveState() => inner.SaveState();
        public void RestoreState(System.Text.Json.Nodes.JsonObject? state) => inner.RestoreState(state);
    }
}
