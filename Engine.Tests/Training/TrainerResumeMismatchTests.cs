using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

/// <summary>
/// Resume against a checkpoint that does not match the run: vocabulary, schedule, optimizer hyperparameters.
/// </summary>
public class TrainerResumeMismatchTests
{
    private static TrainingOptions LmOptions(long maxSteps, string? checkpoints = null) => new()
    {
        BatchSize = 2, Bptt = 4, LearningRate = 0.01, MaxSteps = maxSteps, CheckpointDirectory = checkpoints, Seed = 5,
    };

    private static float[] Weights(Module<float> model) => model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    // Same model config (same vocabulary size), other symbols: the checkpoint's ids mean other tokens in this run.
    [Fact]
    public void Resume_WithAnotherVocabularyOfTheSameSize_IsRefused()
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-vocabulary");
        var stored = new JsonObject { ["kind"] = "word", ["tokens"] = new JsonArray("the", "cat") };
        var other = new JsonObject { ["kind"] = "word", ["tokens"] = new JsonArray("cat", "the") };
        new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(3, tmp.Path), pool, vocabulary: stored).Train();

        var model = Model(vocab.Count, hidden: 8, seed: 77);
        var before = Weights(model);
        var resumed = new LanguageModelTrainer<float>(model, train, valid, LmOptions(10), pool, vocabulary: other);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => resumed.Resume(tmp.Combine("last")));
        Assert.Contains("vocabulary", e.Message);
        Assert.Equal(before, Weights(model));
        Assert.Equal(0, resumed.Step);

        var same = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(10), pool, vocabulary: stored.DeepClone());
        same.Resume(tmp.Combine("last"));   // the same vocabulary resumes
        Assert.Equal(3, same.Step);
    }

    // A schedule whose counters the checkpoint lacks (written by a constant-rate run) is refused — but only after the weights,
    // the optimizer state and the task state were overwritten; the trainer is left half-resumed at step 0.
    [Theory]
    [InlineData(ScheduleKind.StepDecay)]
    [InlineData(ScheduleKind.ReduceOnPlateau)]
    public void Resume_WithAScheduleTheCheckpointHasNoStateFor_IsRefusedBeforeAnythingChanges(ScheduleKind kind)
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-schedule");
        new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(3, tmp.Path), pool).Train();

        var model = Model(vocab.Count, hidden: 8, seed: 77);
        var before = Weights(model);
        var resumed = new LanguageModelTrainer<float>(model, train, valid, LmOptions(10) with { Schedule = kind, Epochs = 3, EvalEverySteps = 5 }, pool);
        double lr = resumed.Optimizer.LearningRate;
        var e = Assert.Throws<IncompatibleCheckpointException>(() => resumed.Resume(tmp.Combine("last")));
        Assert.Contains("schedule", e.Message);
        Assert.Equal(before, Weights(model));                                   // the weights were not overwritten
        Assert.All(resumed.Optimizer.ExportState().Parameters, p => Assert.Equal(0, p.Step));   // nor the optimizer state
        Assert.Equal(lr, resumed.Optimizer.LearningRate);
        Assert.Null(resumed.Task.CarriedState);                                 // nor the task's carried state
    }

    // Another schedule kind (step decay → cosine, or → constant) would silently change or drop the rates the run continues with.
    [Theory]
    [InlineData(ScheduleKind.Cosine)]
    [InlineData(ScheduleKind.Constant)]
    public void Resume_WithAnotherScheduleKind_IsRefused(ScheduleKind kind)
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-schedule-kind");
        new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(3, tmp.Path) with { Schedule = ScheduleKind.StepDecay, Epochs = 3 }, pool).Train();

        var resumed = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(10) with { Schedule = kind, Epochs = 3 }, pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => resumed.Resume(tmp.Combine("last")));
        Assert.Contains($"trained with the StepDecay schedule, these options use {kind}", e.Message);
        Assert.Equal(0, resumed.Step);
        var same = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, LmOptions(10) with { Schedule = ScheduleKind.StepDecay, Epochs = 3 }, pool);
        same.Resume(tmp.Combine("last"));
        Assert.Equal(3, same.Step);
    }

    // η₀, the clip norm and the schedule's own settings are part of what the checkpoint's run computed: a resume with others
    // would mix two runs' learning rates (a new γ on the stored η₀, a new cosine period half-way through the old one).
    [Fact]
    public void Resume_WithAnotherLearningRateClipOrScheduleSetting_IsRefused()
    {
        var (vocab, train, valid) = Corpus(600);
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-run-settings");
        foreach (var (schedule, extra) in new (ScheduleKind, Func<TrainingOptions, TrainingOptions>[])[]
                 {
                     (ScheduleKind.StepDecay, [o => o with { Gamma = 0.1 }, o => o with { StepSize = 3 }, o => o with { FirstDecayEpoch = 2 }]),
                     (ScheduleKind.Cosine, [o => o with { Epochs = 8 }, o => o with { MinLearningRate = 1e-4 }]),
                     (ScheduleKind.Constant, [o => o with { LearningRate = 0.5 }, o => o with { ClipNorm = 1 }, o => o with { ClipNorm = null }]),
                 })
        {
            var options = LmOptions(3, tmp.Combine(schedule.ToString())) with { Schedule = schedule, Epochs = 4 };
            new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, options, pool).Train();
            var same = options with { CheckpointDirectory = null, MaxSteps = 10 };
            foreach (var change in extra)
            {
                var resumed = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, change(same), pool);
                var e = Assert.Throws<IncompatibleCheckpointException>(() => resumed.Resume(tmp.Combine($"{schedule}/last")));
                Assert.Contains("η₀, clipping and schedule", e.Message);
                Assert.Equal(0, resumed.Step);
            }
            var again = new LanguageModelTrainer<float>(Model(vocab.Count, hidden: 8), train, valid, same, pool);
            again.Resume(tmp.Combine($"{schedule}/last"));
            Assert.Equal(3, again.Step);
        }
    }

    /// <summary>One parameter w (1), loss (w − 1)²; the monitored metric "w" is w itself.</summary>
    private sealed class OneWeight : Module<double>
    {
        public OneWeight() => W = AddParameter("w", Tensor<double>.Zeros(1));

        public Var<double> W { get; }
    }

    private sealed class QuadraticTask(OneWeight model) : ITrainingTask<double>
    {
        public int BatchesPerEpoch => 100;
        public JsonObject? ModelConfig => null;
        public JsonNode? Vocabulary => null;

        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context)
        {
            var d = Ops.AddScalar(model.W, -1.0);
            return new TaskLoss<double>(Ops.Sum(d * d), 1);
        }

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool) =>
            new Dictionary<string, double> { ["w"] = model.W.Value.Span[0], ["loss"] = 0.5 };

        public JsonObject? SaveState() => null;
        public void RestoreState(JsonObject? state) { }
    }

    // SGD with momentum and weight decay, resumed by options without them: the checkpoint's momentum buffer is dropped and
    // the decay vanishes without a word, and the resumed run no longer computes what the uninterrupted one does.
    [Fact]
    public void Resume_WithOtherMomentumOrWeightDecay_IsRefused()
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-hyper");
        var options = new TrainingOptions { MaxSteps = 6, Optimizer = OptimizerKind.Sgd, Momentum = 0.9, WeightDecay = 0.1, LearningRate = 0.1, ClipNorm = null };
        var first = new OneWeight();
        new Trainer<double>(first, new QuadraticTask(first), options with { MaxSteps = 3, CheckpointDirectory = tmp.Path }, pool).Train();

        foreach (var other in new[] { options with { Momentum = 0 }, options with { WeightDecay = 0 }, options with { Nesterov = true } })
        {
            var model = new OneWeight();
            var trainer = new Trainer<double>(model, new QuadraticTask(model), other, pool);
            var e = Assert.Throws<IncompatibleCheckpointException>(() => trainer.Resume(tmp.Combine("last")));
            Assert.Contains("optimizer", e.Message);
            Assert.Equal(0, trainer.Step);
        }
        var same = new OneWeight();
        var resumed = new Trainer<double>(same, new QuadraticTask(same), options, pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(3, resumed.Step);
    }
}
