using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Training;
using SeqLearn.Training;

namespace SeqLearn.Tests.Classification;

/// <summary>
/// <see cref="SequenceClassificationTask{T}"/> in micro-batches: the parts (examples at alternate positions of the batch
/// ordered by length) add up to the whole batch, and a run with word dropout is the same on 1, 2 and 4 threads.
/// </summary>
public sealed class SequenceClassificationMicroBatchTests
{
    private static (Sequential<T> Model, SequenceClassificationTask<T> Task) Make<T>(double wordDropout, ulong modelSeed = 1, int unknownId = 1, ulong dataSeed = 3) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(dataSeed);
        int[][] sequences = [.. Enumerable.Range(0, 37).Select(_ => Enumerable.Range(0, 1 + rng.NextInt(30)).Select(_ => 2 + rng.NextInt(50)).ToArray())];
        var labels = sequences.Select(s => s[0] % 3).ToArray();
        var model = new Sequential<T>(
            new Embedding<T>(52, 4, new SeededRng(modelSeed)),
            RecurrentLayer<T>.Create(RecurrentCell.Lstm, 4, 5, new SeededRng(modelSeed + 1), new RecurrentOptions(Bidirectional: true)),
            new MaskedMeanPool<T>(),
            new Linear<T>(10, 3, new SeededRng(modelSeed + 2)));
        return (model, new SequenceClassificationTask<T>(model, new LabeledSequences(sequences, labels), null, batchSize: 9, seed: 7) { WordDropout = wordDropout, UnknownId = unknownId });
    }

    [Fact]
    public void Parts_LossesAndGradients_AddUpToTheWholeBatch()
    {
        var (model, task) = Make<double>(0);
        var parameters = model.Parameters().ToArray();
        var context = new LayerContext();
        for (int batch = 0; batch < task.BatchesPerEpoch; batch++)   // the last batch has 1 example: part 1 is empty
            TrainerTestSupport.PartsAddUp(parameters, () => task.TrainingLoss(0, batch, context), part => task.TrainingLoss(0, batch, part, 2, context));
    }

    [Fact]
    public void Training_WithTwoParts_AndWordDropout_IsBitIdenticalOnOneTwoAndFourThreads()
    {
        long[] Run(int threads)
        {
            var (model, task) = Make<float>(0.2);
            using var pool = new WorkerPool(threads);
            var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 6, MicroBatches = 2, LearningRate = 0.01, Seed = 4 }, pool).Train();
            return TrainerTestSupport.Bits(result.StepLosses);
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(4));
    }

    // 37 examples in batches of 9: 5 batches an epoch. Stopped at step 7 (epoch 1, batch 2) on one thread with two parts,
    // word dropout and step decay, resumed on two threads: every loss of the uninterrupted run, to the last bit.
    [Fact]
    public void Resume_MidEpoch_WithTwoPartsAndWordDropout_OnAnotherThreadCount_ContinuesBitIdentically()
    {
        using var tmp = new Checkpoints.TempDir("classify-resume-parts");
        var options = new TrainingOptions
        {
            MaxSteps = 12, MicroBatches = 2, LearningRate = 0.01, Seed = 4, EvalEverySteps = 3, Schedule = SeqLearn.Optim.Schedules.ScheduleKind.StepDecay,
            StepSize = 1, Gamma = 0.7, ClipNorm = 0.05,
        };
        TrainingResult Run(TrainingOptions o, int threads, ulong modelSeed = 1, string? resume = null)
        {
            var (model, task) = Make<float>(0.2, modelSeed);
            using var pool = new WorkerPool(threads);
            var trainer = new Trainer<float>(model, task, o, pool);
            if (resume is not null) trainer.Resume(resume);
            return trainer.Train();
        }
        var straight = Run(options, 2);
        var first = Run(options with { MaxSteps = 7, CheckpointDirectory = tmp.Path }, 1);
        var second = Run(options, 2, modelSeed: 9, resume: tmp.Combine("last"));
        Assert.Equal(TrainerTestSupport.Bits(straight.StepLosses), TrainerTestSupport.Bits([.. first.StepLosses, .. second.StepLosses]));
        Assert.Equal(straight.FinalMetrics["loss"], second.FinalMetrics["loss"]);
    }

    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(0.2, 5)]
    public void Resume_WithAnotherWordDropoutOrUnknownId_IsRefused_NamingBoth(double wordDropout, int unknownId)
    {
        using var tmp = new Checkpoints.TempDir("classify-resume-word-dropout");
        using var pool = new WorkerPool(1);
        var options = new TrainingOptions { MaxSteps = 2, LearningRate = 0.01, Seed = 4 };
        var (model, task) = Make<float>(0.2);
        new Trainer<float>(model, task, options with { CheckpointDirectory = tmp.Path }, pool).Train();
        var (other, otherTask) = Make<float>(wordDropout, unknownId: unknownId);
        var trainer = new Trainer<float>(other, otherTask, options, pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => trainer.Resume(tmp.Combine("last")));
        Assert.Contains("word dropout 0.2", e.Message);
        Assert.Contains($"word dropout {wordDropout}", e.Message);
    }

    [Fact]
    public void Resume_WithTheSameNumberOfOtherExamples_IsRefused()
    {
        using var tmp = new Checkpoints.TempDir("classify-resume-other-data");
        using var pool = new WorkerPool(1);
        var options = new TrainingOptions { MaxSteps = 2, LearningRate = 0.01, Seed = 4 };
        var (model, task) = Make<float>(0);
        new Trainer<float>(model, task, options with { CheckpointDirectory = tmp.Path }, pool).Train();
        var (other, otherTask) = Make<float>(0, dataSeed: 4);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => new Trainer<float>(other, otherTask, options, pool).Resume(tmp.Combine("last")));
        Assert.Contains("other training data", e.Message);
        var (same, sameTask) = Make<float>(0, modelSeed: 5);
        new Trainer<float>(same, sameTask, options, pool).Resume(tmp.Combine("last"));   // the same data resumes
    }
}
