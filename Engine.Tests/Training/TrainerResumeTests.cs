using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

public class TrainerResumeTests
{
    // A tiny model on 600 characters: B = 2 streams of 270 tokens, T = 4 → 67 windows an epoch, so 1,000 steps stop
    // mid-epoch (window 62 of epoch 14) with a carried LSTM state, live Adam moments, dropout draws and a decayed η.
    private static TrainingOptions Options(long maxSteps, string? checkpoints = null) => new()
    {
        BatchSize = 2, Bptt = 4, LearningRate = 0.01, MaxSteps = maxSteps, Schedule = ScheduleKind.StepDecay, StepSize = 2, Gamma = 0.9,
        EvalEverySteps = 0, CheckpointDirectory = checkpoints, Seed = 5,
    };

    // Nesterov SGD with weight decay, reduce-on-plateau stepped by an evaluation every 100 steps; the first half stops at
    // 950, between two scheduled evaluations, so its final evaluation must leave the schedule and patience untouched.
    private static TrainingOptions PlateauOptions(long maxSteps, string? checkpoints = null) => Options(maxSteps, checkpoints) with
    {
        Optimizer = OptimizerKind.Sgd, LearningRate = 0.5, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4,
        Schedule = ScheduleKind.ReduceOnPlateau, PlateauPatience = 0, EvalEverySteps = 100, Patience = 50,
    };

    [Theory]
    [InlineData("adam, step decay", 1000)]
    [InlineData("sgd nesterov, plateau", 950)]
    public void Resume_AfterHalfTheSteps_ContinuesWithBitIdenticalLosses(string setup, int half)
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume");
        Func<long, string?, TrainingOptions> options = setup.StartsWith("adam", StringComparison.Ordinal) ? Options : PlateauOptions;

        var straightTrainer = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1), train, valid, options(2000, null), pool);
        var straight = straightTrainer.Train();
        Assert.True(straightTrainer.Optimizer.LearningRate < options(1, null).LearningRate, "the schedule lowered η during the run");

        var first = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1), train, valid, options(half, tmp.Path), pool).Train();
        // Fresh objects, and a model initialised from another seed: everything must come from the checkpoint.
        var resumed = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1, seed: 1234), train, valid, options(2000, null), pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(half, resumed.Step);
        Assert.NotEqual(0, resumed.Window);
        var second = resumed.Train();

        Assert.Equal(2000, straight.StepLosses.Count);
        Assert.Equal(Bits(straight.StepLosses), Bits([.. first.StepLosses, .. second.StepLosses]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(straight.FinalValidLoss), BitConverter.DoubleToInt64Bits(second.FinalValidLoss));
        Assert.Equal(straightTrainer.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
    }

    [Fact]
    public void Resume_StepLimitAlreadyReached_TrainsNothingAndEvaluates()
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-done");
        var first = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, Options(5, tmp.Path), pool).Train();
        var again = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, Options(5), pool);
        again.Resume(tmp.Combine("last"));
        var result = again.Train();
        Assert.Equal(StopReason.MaxSteps, result.Reason);
        Assert.Empty(result.StepLosses);
        Assert.Equal(first.FinalValidLoss, result.FinalValidLoss);
    }

    [Fact]
    public void Resume_CheckpointOfAnotherModelOrBatch_IsAClearError()
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-incompatible");
        new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, Options(3, tmp.Path), pool).Train();

        var wider = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 12), train, valid, Options(10), pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => wider.Resume(tmp.Combine("last")));
        Assert.Contains("\"hidden_size\":8", e.Message);

        var otherBatch = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, Options(10) with { BatchSize = 3 }, pool);
        e = Assert.Throws<IncompatibleCheckpointException>(() => otherBatch.Resume(tmp.Combine("last")));
        Assert.Contains("batch 2", e.Message);

        var gru = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, cell: RecurrentCell.Gru), train, valid, Options(10), pool);
        Assert.Throws<IncompatibleCheckpointException>(() => gru.Resume(tmp.Combine("last")));
    }
}
