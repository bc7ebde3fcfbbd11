using SeqLearn.Checkpoints;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

public class LanguageModelTrainerTests
{
    [Fact]
    public void Train_SmallShakespeare_LossFallsWellBelowUniform()
    {
        var (vocab, train, valid) = Corpus();
        using var pool = new WorkerPool(1);
        var model = Model(vocab.Count, embedding: 16, hidden: 64);
        var progress = new List<TrainingProgress>();
        var trainer = new LanguageModelTrainer<float>(model, train, valid,
            new TrainingOptions { BatchSize = 16, Bptt = 32, LearningRate = 0.01, MaxSteps = 150, EvalEverySteps = 50 }, pool, new ListProgress(progress));
        double before = trainer.Evaluate();
        var result = trainer.Train();

        Assert.Equal(StopReason.MaxSteps, result.Reason);
        Assert.Equal(150, result.StepLosses.Count);
        Assert.InRange(before, Math.Log(vocab.Count) - 0.3, Math.Log(vocab.Count) + 0.3);   // ≈ uniform at init
        Assert.True(result.FinalValidLoss < before - 1.0, $"valid loss {before} → {result.FinalValidLoss}");
        Assert.True(result.StepLosses.TakeLast(10).Average() < result.StepLosses[0] - 1.0);
        Assert.Equal(3, progress.Count(p => p.Kind == ProgressKind.Evaluation));
        Assert.All(progress, p => Assert.True(p.TokensPerSecond > 0));
        Assert.Equal(result.BestValidLoss, progress.Where(p => p.ValidLoss is not null).Min(p => p.ValidLoss!.Value));
    }

    [Fact]
    public void Train_NoImprovement_StopsEarlyAndKeepsTheBestCheckpoint()
    {
        var (vocab, train, valid) = Corpus(4000);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-early");
        // η = 1e-12 moves no float weight (far below an ulp): every evaluation after the first equals it, so none improves.
        var options = new TrainingOptions
        {
            BatchSize = 4, Bptt = 8, LearningRate = 1e-12, MaxSteps = 100, EvalEverySteps = 2, Patience = 3,
            CheckpointDirectory = tmp.Path, MetricsPath = tmp.Combine("metrics.jsonl"),
        };
        var model = Model(vocab.Count);
        var result = new LanguageModelTrainer<float>(model, train, valid, options, pool).Train();

        Assert.Equal(StopReason.EarlyStopping, result.Reason);
        Assert.Equal(8, result.Steps);                        // evaluations at 2 (best), 4, 6, 8 (third without improvement)
        Assert.Equal(2, result.BestStep);
        var best = Checkpoint.Load<float>(tmp.Combine("best"));
        var last = Checkpoint.Load<float>(tmp.Combine("last"));
        Assert.Equal(2, best.Step);
        Assert.Equal(8, last.Step);
        var reloaded = Model(vocab.Count, seed: 99);
        foreach (var (name, p) in reloaded.NamedParameters()) best.Parameters.Single(t => t.Name == name).Tensor.Span.CopyTo(p.Value.Span);
        double bestLoss = LanguageModelTrainer<float>.MeanLoss(reloaded, new BpttBatcher(valid, 4, 8, LastWindow.Keep), pool);
        Assert.Equal(result.BestValidLoss, bestLoss);
        var log = MetricsLog.Read(options.MetricsPath);
        Assert.Equal([2L, 4, 6, 8], log.Where(r => r.ValidLoss is not null).Select(r => r.Step));

        // Resuming the finished run is done at once, like a run at its step limit: no step, last stays at step 8.
        var resumed = new LanguageModelTrainer<float>(Model(vocab.Count), train, valid, options, pool);
        resumed.Resume(tmp.Combine("last"));
        var again = resumed.Train();
        Assert.Equal(StopReason.EarlyStopping, again.Reason);
        Assert.Empty(again.StepLosses);
        Assert.Equal(8, Checkpoint.Load<float>(tmp.Combine("last")).Step);
        // A larger patience continues it.
        var patient = new LanguageModelTrainer<float>(Model(vocab.Count), train, valid, options with { Patience = 4, MetricsPath = null }, pool);
        patient.Resume(tmp.Combine("last"));
        Assert.Equal(2, patient.Train().StepLosses.Count);
    }

    [Fact]
    public void Train_HugeLearningRate_ThrowsNamingTheStep()
    {
        var (vocab, train, valid) = Corpus(4000);
        using var pool = new WorkerPool(1);
        // Adam moves every weight by ≈ η in step 1. η = 1e30 stays finite in float (the LSTM saturates and clipping
        // bounds the decoder's growth); η = 1e38 puts weights at float's edge, so step 2's logits overflow.
        var trainer = new LanguageModelTrainer<float>(Model(vocab.Count), train, valid,
            new TrainingOptions { BatchSize = 4, Bptt = 8, LearningRate = 1e38, MaxSteps = 50 }, pool);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(2, e.Step);                              // step 1 is finite; its update makes the weights ~1e30
        Assert.Contains("step 2", e.Message);
        Assert.Equal(1, trainer.Step);                        // the diverged step was not applied
    }

    [Fact]
    public void Train_OneAndTwoThreads_GiveBitIdenticalLosses()
    {
        var (vocab, train, valid) = Corpus(8000);
        long[] Run(int threads)
        {
            using var pool = new WorkerPool(threads);
            var options = new TrainingOptions { BatchSize = 8, Bptt = 16, MaxSteps = 30, EvalEverySteps = 15 };
            var r = new LanguageModelTrainer<float>(Model(vocab.Count, embedding: 16, hidden: 64, layers: 2, dropout: 0.2), train, valid, options, pool).Train();
            return [.. Bits(r.StepLosses), BitConverter.DoubleToInt64Bits(r.FinalValidLoss)];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Train_TimeBudget_StopsAtTheFirstStepPastIt_AndEvaluatesAtTheEnd()
    {
        var (vocab, train, valid) = Corpus(4000);
        using var pool = new WorkerPool(1);
        var progress = new List<TrainingProgress>();
        var result = new LanguageModelTrainer<float>(Model(vocab.Count), train, valid,
            new TrainingOptions { BatchSize = 4, Bptt = 8, TimeBudget = TimeSpan.FromTicks(1) }, pool, new ListProgress(progress)).Train();
        Assert.Equal(StopReason.TimeBudget, result.Reason);
        Assert.Equal(1, result.Steps);
        Assert.True(double.IsFinite(result.FinalValidLoss));
        var final = Assert.Single(progress);
        Assert.Equal(ProgressKind.Evaluation, final.Kind);
        Assert.Equal(1.0, final.Fraction);
    }

    [Fact]
    public void Constructor_CorpusShorterThanOneWindow_SaysHowManyTokensAreNeeded()
    {
        using var pool = new WorkerPool(1);
        var tokens = new int[50];
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelTrainer<float>(Model(5), tokens, tokens,
            new TrainingOptions { BatchSize = 8, Bptt = 16, MaxSteps = 1 }, pool));
        Assert.Contains("training text is too short", e.Message);
        Assert.Contains("136 tokens are needed", e.Message);
    }

    [Fact]
    public void Constructor_WithTheVocabulary_WritesCheckpointsThatLoadBackWithIt_AndRefusesAnotherSize()
    {
        var (vocab, train, valid) = Corpus(4000);
        using var tmp = new TempDir("trainer-vocabulary");
        var options = new TrainingOptions { BatchSize = 4, Bptt = 8, MaxSteps = 2, EvalEverySteps = 2, CheckpointDirectory = tmp.Path };
        new LanguageModelTrainer<float>(Model(vocab.Count), train, valid, options, vocab).Train();   // no pool: the calling thread
        var loaded = LanguageModelCheckpoint.Load(tmp.Combine("best"));
        Assert.Equal(vocab.Count, loaded.Vocabulary.Count);
        Assert.Equal(vocab.Decode(vocab.Encode("ROMEO:")), loaded.Vocabulary.Decode(loaded.Vocabulary.Encode("ROMEO:")));

        var e = Assert.Throws<ArgumentException>(() => new LanguageModelTrainer<float>(Model(vocab.Count + 1), train, valid, options, vocab));
        Assert.Contains($"the vocabulary has {vocab.Count} symbols but the model's vocab_size is {vocab.Count + 1}", e.Message);
    }

    [Fact]
    public void Options_WithoutAStopCondition_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions().Validate());
        Assert.Contains("Epochs, TimeBudget or MaxSteps", e.Message);
    }

    private sealed class ListProgress(List<TrainingProgress> list) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => list.Add(value);
    }

    [Fact]
    public void Options_UndefinedMonitorGoal_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { MaxSteps = 1, MonitorGoal = (MetricGoal)9 }.Validate());
        Assert.Equal("MonitorGoal", e.ParamName);
    }
}
