using SeqLearn.Kernels;
using SeqLearn.Models;
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
        BatchSize = 2, Bptt = 4, LearningRate = 0.01, MaxSteps = maxSteps, Schedule = ScheduleChoice.StepDecay, StepSize = 2, Gamma = 0.9,
        EvalEverySteps = 0, CheckpointDirectory = checkpoints, Seed = 5,
    };

    [Fact]
    public void Resume_AfterHalfTheSteps_ContinuesWithBitIdenticalLosses()
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume");

        var straight = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1), train, valid, Options(2000), pool).Train();

        var first = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1), train, valid, Options(1000, tmp.Path), pool).Train();
        // Fresh objects, and a model initialised from another seed: everything must come from the checkpoint.
        var resumed = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, dropout: 0.1, seed: 1234), train, valid, Options(2000), pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(1000, resumed.Step);
        Assert.NotEqual(0, resumed.Window);
        var second = resumed.Train();

        Assert.Equal(2000, straight.StepLosses.Count);
        Assert.Equal(Bits(straight.StepLosses), Bits([.. first.StepLosses, .. second.StepLosses]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(straight.FinalValidLoss), BitConverter.DoubleToInt64Bits(second.FinalValidLoss));
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
        Assert.Contains("HiddenSize = 8", e.Message);

        var otherBatch = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, Options(10) with { BatchSize = 3 }, pool);
        e = Assert.Throws<IncompatibleCheckpointException>(() => otherBatch.Resume(tmp.Combine("last")));
        Assert.Contains("batch 2", e.Message);

        var gru = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8, cell: RecurrentCell.Gru), train, valid, Options(10), pool);
        Assert.Throws<IncompatibleCheckpointException>(() => gru.Resume(tmp.Combine("last")));
    }
}
