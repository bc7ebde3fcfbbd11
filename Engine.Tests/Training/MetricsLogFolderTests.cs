using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

/// <summary>Where a metrics log is opened: its missing folders are made, and a log that cannot be opened stops the run before it takes its checkpoint directory.</summary>
public class MetricsLogFolderTests
{
    [Fact]
    public void MetricsLog_InAMissingFolder_CreatesTheFolder()
    {
        using var tmp = new TempDir("metrics-folder");
        string path = Path.Combine(tmp.Path, "runs", "a", "m.jsonl");
        using (var log = new MetricsLog(path)) log.Append(new MetricsRecord { Step = 1, TrainLoss = 2.5 });
        Assert.Equal(2.5, Assert.Single(MetricsLog.Read(path)).TrainLoss);
    }

    [Fact]
    public void Train_MetricsLogThatCannotBeOpened_LeavesNoCheckpointDirectory()
    {
        var (vocab, train, valid) = Corpus(4000);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("metrics-unopenable");
        string run = tmp.Combine("run"), folder = tmp.Combine("folder");
        Directory.CreateDirectory(folder);   // a directory where the log would go
        var options = new TrainingOptions { BatchSize = 4, Bptt = 8, MaxSteps = 2, CheckpointDirectory = run, MetricsPath = folder };
        var trainer = new LanguageModelTrainer<float>(Model(vocab.Count), train, valid, options, pool);
        var e = Assert.Throws<IOException>(() => trainer.Train());
        Assert.Contains(folder, e.Message);
        Assert.False(Directory.Exists(run), "the run's checkpoint directory (and its lock) was made");
        Assert.Equal(0, trainer.Step);
    }
}
