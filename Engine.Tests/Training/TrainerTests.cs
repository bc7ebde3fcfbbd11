using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

/// <summary>The trainer on tasks other than language modelling: a scripted task and a sequence classifier.</summary>
public class TrainerTests
{
    /// <summary>One parameter w, loss (w − 1)²; evaluation returns scripted metrics in order.</summary>
    private sealed class ScriptedModel : Module<double>
    {
        public ScriptedModel() => W = AddParameter("w", Tensor<double>.Zeros(1));

        public Var<double> W { get; }
    }

    private sealed class ScriptedTask(ScriptedModel model, double[] accuracies, int nanAtStep = -1, double[]? losses = null) : ITrainingTask<double>
    {
        private int _evaluations;
        private int _steps;

        public int BatchesPerEpoch => 3;

        public JsonObject? ModelConfig => null;

        public JsonNode? Vocabulary => null;

        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context)
        {
            var d = Ops.AddScalar(model.W, -1.0);
            var loss = Ops.Sum(d * d);
            if (++_steps == nanAtStep) loss = Ops.MulScalar(loss, double.NaN);
            return new TaskLoss<double>(loss, 1);
        }

        public double? DivergedLoss => 10 * Math.Log(2);

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
        {
            int i = _evaluations++;
            return new Dictionary<string, double>
            {
                ["accuracy"] = accuracies[Math.Min(i, accuracies.Length - 1)],
                ["loss"] = losses is null ? 1 : losses[Math.Min(i, losses.Length - 1)],
            };
        }

        public JsonObject? SaveState() => null;

        public void RestoreState(JsonObject? state) { }
    }

    private static TrainingOptions Options => new()
    {
        MaxSteps = 100, EvalEverySteps = 1, Monitor = "accuracy", MonitorGoal = MetricGoal.Maximize, Patience = 2, Optimizer = OptimizerKind.Sgd,
        LearningRate = 0.1, ClipNorm = null,
    };

    [Fact]
    public void EarlyStopping_OnAMaximizedMetric_StopsAfterPatienceEvaluationsWithoutABetterValue()
    {
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var result = new Trainer<double>(model, new ScriptedTask(model, [0.50, 0.60, 0.55, 0.58, 0.61, 0.70]), Options, pool).Train();
        // Best 0.60 at step 2; steps 3 and 4 are not better → stop at step 4 (the 0.61 of step 5 is never seen).
        Assert.Equal(StopReason.EarlyStopping, result.Reason);
        Assert.Equal(4, result.Steps);
        Assert.Equal(0.60, result.BestMetric);
        Assert.Equal(2, result.BestStep);
        Assert.Equal("accuracy", result.Monitor);
        Assert.True(double.IsNaN(result.BestValidLoss), "BestValidLoss is only defined when the loss is monitored");
    }

    [Fact]
    public void Train_BestCheckpoint_IsTheEvaluationWithTheBestMonitoredValue()
    {
        using var tmp = new TempDir("trainer-best");
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var options = Options with { Patience = null, MaxSteps = 5, CheckpointDirectory = tmp.Path };
        new Trainer<double>(model, new ScriptedTask(model, [0.5, 0.9, 0.7, 0.8, 0.6]), options, pool).Train();
        Assert.Equal(2, SeqLearn.Checkpoints.Checkpoint.Load<double>(tmp.Combine("best")).Step);
        Assert.Equal(5, SeqLearn.Checkpoints.Checkpoint.Load<double>(tmp.Combine("last")).Step);
    }

    [Fact]
    public void Train_NonFiniteLoss_IsReportedWithItsStepAndNothingIsApplied()
    {
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var trainer = new Trainer<double>(model, new ScriptedTask(model, [0.5], nanAtStep: 3), Options with { Patience = null }, pool);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(3, e.Step);
        Assert.Equal(2, trainer.Step);
        Assert.Contains("step 3", e.Message);
    }

    /// <summary>Two children with a parameter called "weight" each: only the dotted names tell them apart.</summary>
    private sealed class TwoWeights : Module<double>
    {
        private sealed class Leaf : Module<double>
        {
            public Leaf() => Weight = AddParameter("weight", Tensor<double>.Zeros(1));

            public Var<double> Weight { get; }
        }

        public TwoWeights() => (Encoder, Decoder) = (AddModule("encoder", new Leaf()).Weight, AddModule("decoder", new Leaf()).Weight);

        public Var<double> Encoder { get; }

        public Var<double> Decoder { get; }
    }

    // Loss (e − 1)² + 10²⁰⁰ · 10²⁰⁰ · d at d = 0: finite (1), while ∂L/∂d = 10⁴⁰⁰ overflows to +∞ from step 1.
    private sealed class InfiniteGradientTask(TwoWeights model) : ITrainingTask<double>
    {
        public int BatchesPerEpoch => 1;

        public JsonObject? ModelConfig => null;

        public JsonNode? Vocabulary => null;

        public double? DivergedLoss => null;

        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context)
        {
            var e = Ops.AddScalar(model.Encoder, -1.0);
            return new TaskLoss<double>(Ops.Sum(e * e) + Ops.Sum(Ops.MulScalar(Ops.MulScalar(model.Decoder, 1e200), 1e200)), 1);
        }

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool) => new Dictionary<string, double> { ["accuracy"] = 0.5, ["loss"] = 1 };

        public JsonObject? SaveState() => null;

        public void RestoreState(JsonObject? state) { }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1.0)]
    public void Train_InfiniteGradientWithAFiniteLoss_NamesTheParameterByItsDottedName(double? clipNorm)
    {
        var model = new TwoWeights();
        using var pool = new WorkerPool(1);
        var trainer = new Trainer<double>(model, new InfiniteGradientTask(model), Options with { Patience = null, ClipNorm = clipNorm }, pool);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(1, e.Step);
        Assert.Equal("gradient norm", e.Quantity);
        Assert.Equal("decoder.weight", e.Parameter);
        Assert.Equal(0, trainer.Step);
        Assert.Equal([0.0], model.Encoder.Value.ToArray());
    }

    [Theory]
    [InlineData(new[] { 0.60, 0.50, 7.5 }, 3, 2, "above 6.931")]              // 10 · ln 2: far worse than guessing
    [InlineData(new[] { 0.004, 0.003, 4.0 }, 3, 2, "1000 times the best")]     // orders of magnitude above the best
    [InlineData(new[] { 0.60, double.PositiveInfinity }, 2, 1, "is ∞")]
    public void Train_DivergedValidationLoss_StopsWithTheStep_AndBestIsNeverTheDivergedModel(double[] losses, int step, int bestStep, string why)
    {
        using var tmp = new TempDir("trainer-diverged");
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var options = Options with { Patience = null, Monitor = "loss", MonitorGoal = MetricGoal.Minimize, CheckpointDirectory = tmp.Path };
        var trainer = new Trainer<double>(model, new ScriptedTask(model, [0.5], losses: losses), options, pool);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(step, e.Step);
        Assert.Equal("validation loss", e.Quantity);
        Assert.Contains(why, e.Message.Replace("Infinity", "∞", StringComparison.Ordinal));
        Assert.Equal(bestStep, SeqLearn.Checkpoints.Checkpoint.Load<double>(tmp.Combine("best")).Step);
        Assert.Equal(step - 1, SeqLearn.Checkpoints.Checkpoint.Load<double>(tmp.Combine("last")).Step);
    }

    [Fact]
    public void Train_ValidationLoss1000TimesATinyBest_ButBetterThanGuessing_IsNotDivergence()
    {
        // 10⁻⁶ → 0.5: a thousandfold rise, but still below ln 2 (the uniform guess of this two-class task): the run goes on.
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var options = Options with { Patience = null, MaxSteps = 4, Monitor = "loss", MonitorGoal = MetricGoal.Minimize };
        var result = new Trainer<double>(model, new ScriptedTask(model, [0.5], losses: [1e-6, 1e-6, 0.5, 0.6]), options, pool).Train();
        Assert.Equal(4, result.Steps);
        Assert.Equal(1e-6, result.BestMetric);
    }

    [Fact]
    public void Resume_AfterAFinalUnscheduledEvaluation_DivergenceCheckSeesOnlyTheScheduledBest()
    {
        // Evaluations every 2 steps; the first run stops at step 3, whose final evaluation (not scheduled, loss 10⁻⁴)
        // the uninterrupted run never makes. Resumed, the scheduled evaluation at step 4 (loss 1) must not count as
        // 1000 times that best: the uninterrupted run reaches step 6.
        using var tmp = new TempDir("trainer-final-eval");
        using var pool = new WorkerPool(1);
        var options = Options with { Patience = null, EvalEverySteps = 2, Monitor = "loss", MonitorGoal = MetricGoal.Minimize };
        var straightModel = new ScriptedModel();
        var straight = new Trainer<double>(straightModel, new ScriptedTask(straightModel, [0.5], losses: [1.0]), options with { MaxSteps = 6 }, pool).Train();
        Assert.Equal(6, straight.Steps);

        var firstModel = new ScriptedModel();
        new Trainer<double>(firstModel, new ScriptedTask(firstModel, [0.5], losses: [1.0, 1e-4]), options with { MaxSteps = 3, CheckpointDirectory = tmp.Path }, pool).Train();
        var resumedModel = new ScriptedModel();
        var resumed = new Trainer<double>(resumedModel, new ScriptedTask(resumedModel, [0.5], losses: [1.0]), options with { MaxSteps = 6 }, pool);
        resumed.Resume(tmp.Combine("last"));
        var second = resumed.Train();
        Assert.Equal(StopReason.MaxSteps, second.Reason);
        Assert.Equal(straightModel.W.Value.Span[0], resumedModel.W.Value.Span[0]);
    }

    [Fact]
    public void Resume_WithRestoreBestWeights_TheBestBeforeTheCheckpointIsRestoredAtTheEnd()
    {
        // The best evaluation (step 2) comes before the checkpoint at step 3; nothing after beats it. The run resumed from
        // DIR/last ends on the step-2 weights, read from DIR/best, as the uninterrupted run does.
        using var tmp = new TempDir("trainer-restore-best");
        using var pool = new WorkerPool(1);
        var options = Options with { Patience = null, RestoreBestWeights = true };
        var straightModel = new ScriptedModel();
        new Trainer<double>(straightModel, new ScriptedTask(straightModel, [0.5, 0.9, 0.6]), options with { MaxSteps = 6 }, pool).Train();

        var firstModel = new ScriptedModel();
        new Trainer<double>(firstModel, new ScriptedTask(firstModel, [0.5, 0.9, 0.6]), options with { MaxSteps = 3, CheckpointDirectory = tmp.Path }, pool).Train();
        var resumedModel = new ScriptedModel();
        var resumed = new Trainer<double>(resumedModel, new ScriptedTask(resumedModel, [0.6]), options with { MaxSteps = 6 }, pool);
        resumed.Resume(tmp.Combine("last"));
        var result = resumed.Train();
        Assert.Equal(2, result.BestStep);
        Assert.Equal(straightModel.W.Value.Span[0], resumedModel.W.Value.Span[0]);

        // Without its best checkpoint the best weights cannot be had: refused at resume, not found missing at the end.
        Directory.Delete(tmp.Combine("best"), recursive: true);
        var orphan = new ScriptedModel();
        var e = Assert.Throws<IncompatibleCheckpointException>(() =>
            new Trainer<double>(orphan, new ScriptedTask(orphan, [0.6]), options with { MaxSteps = 6 }, pool).Resume(tmp.Combine("last")));
        Assert.Contains("RestoreBestWeights needs the weights of its best step 2", e.Message);
    }

    [Fact]
    public void Train_MonitoredMetricTheTaskDoesNotReport_IsAClearError()
    {
        var model = new ScriptedModel();
        using var pool = new WorkerPool(1);
        var trainer = new Trainer<double>(model, new ScriptedTask(model, [0.5]), Options with { Monitor = "bleu" }, pool);
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Train());
        Assert.Contains("no metric 'bleu'", e.Message);
        Assert.Contains("accuracy", e.Message);
    }

    private static (Sequential<float> Model, SequenceClassificationTask<float> Task) Classifier(ulong seed = 3)
    {
        var rng = new SeededRng(seed);
        var data = new SeededRng(11);
        LabeledSequences Make(int n)
        {
            var x = new List<int[]>();
            var y = new List<int>();
            for (int i = 0; i < n; i++)
            {
                var s = Enumerable.Range(0, 2 + data.NextInt(9)).Select(_ => 1 + data.NextInt(5)).ToArray();
                x.Add(s);
                y.Add(s.Count(t => t == 3) % 2);
            }
            return new LabeledSequences(x, y);
        }
        var model = new Sequential<float>(new Embedding<float>(6, 4, rng), new Gru<float>(4, 6, rng), new Dropout<float>(0.2), new LastStep<float>(),
            new Linear<float>(6, 2, rng));
        return (model, new SequenceClassificationTask<float>(model, Make(90), Make(30), batchSize: 8, seed: 5));
    }

    // Shuffled, bucketed batches, dropout and Adam: a run resumed from its checkpoint continues with the same losses to the last bit.
    [Fact]
    public void Resume_ClassificationTask_ContinuesWithBitIdenticalLosses()
    {
        using var tmp = new TempDir("trainer-resume-classify");
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = 40, EvalEverySteps = 7, Monitor = "accuracy", MonitorGoal = MetricGoal.Maximize, LearningRate = 0.01, Seed = 9 };
        var (m1, t1) = Classifier();
        var straight = new Trainer<float>(m1, t1, options, pool).Train();

        var (m2, t2) = Classifier();
        var first = new Trainer<float>(m2, t2, options with { MaxSteps = 17, CheckpointDirectory = tmp.Path }, pool).Train();
        var (m3, t3) = Classifier(seed: 99);                 // other initial weights: everything must come from the checkpoint
        var resumed = new Trainer<float>(m3, t3, options, pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(17, resumed.Step);
        Assert.Equal(5, resumed.Batch);                        // 12 batches per epoch: step 17 = epoch 1, batch 5
        var second = resumed.Train();

        Assert.Equal(Bits(straight.StepLosses), Bits([.. first.StepLosses, .. second.StepLosses]));
        Assert.Equal(straight.FinalMetrics["accuracy"], second.FinalMetrics["accuracy"]);
    }

    [Fact]
    public void Train_ClassificationTask_SameResultForOneAndTwoThreads()
    {
        var options = new TrainingOptions { MaxSteps = 15, EvalEverySteps = 5, LearningRate = 0.01 };
        double[] Run(int threads)
        {
            using var pool = new WorkerPool(threads);
            var (m, t) = Classifier();
            return [.. new Trainer<float>(m, t, options, pool).Train().StepLosses];
        }
        Assert.Equal(Bits(Run(1)), Bits(Run(2)));
    }
}
