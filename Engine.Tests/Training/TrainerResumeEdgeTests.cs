using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

/// <summary>Resume on models the language-model tests do not reach: a tied parameter, a parameter some steps do not use.</summary>
public class TrainerResumeEdgeTests
{
    /// <summary>w registered twice (as "w" and as the tied "w_alias"), and b.</summary>
    private sealed class TiedModel : Module<double>
    {
        public TiedModel(double w0)
        {
            W = AddParameter("w", Tensor<double>.Full(w0, 2));
            B = AddParameter("b", Tensor<double>.Full(-w0, 2));
            AddParameter("w_alias", W);
        }

        public Var<double> W { get; }
        public Var<double> B { get; }
    }

    /// <summary>Loss Σ(w − 1)² + Σ w·b on even batches, Σ(w − 1)² on odd ones: b is out of the graph every other step.</summary>
    private sealed class AlternatingTask(TiedModel model) : ITrainingTask<double>
    {
        public int BatchesPerEpoch => 4;
        public JsonObject? ModelConfig => null;
        public JsonNode? Vocabulary => null;

        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context)
        {
            var d = Ops.AddScalar(model.W, -1.0);
            var loss = Ops.Sum(d * d);
            if (batch % 2 == 0) loss = loss + Ops.Sum(model.W * model.B);
            return new TaskLoss<double>(loss, 1);
        }

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
        {
            var d = model.W.Value.Span;
            return new Dictionary<string, double> { ["loss"] = (d[0] - 1) * (d[0] - 1) + (d[1] - 1) * (d[1] - 1) };
        }

        public JsonObject? SaveState() => null;
        public void RestoreState(JsonObject? state) { }
    }

    /// <summary>One weight w, from w₀; plain SGD with η = 1 on the loss −w moves it by exactly +1 a step.</summary>
    internal sealed class ClimbingModel : Module<double>
    {
        public ClimbingModel(double w0) => W = AddParameter("w", Tensor<double>.Full(w0, 1));

        public Var<double> W { get; }
    }

    /// <summary>
    /// Training loss −w, validation loss <paramref name="validation"/>(w), by default (w − 5)²: from w₀ = 0 the evaluation at
    /// step 5 is the best there is.
    /// </summary>
    internal sealed class ClimbingTask(ClimbingModel model, Func<double, double>? validation = null) : ITrainingTask<double>
    {
        public int BatchesPerEpoch => 3;
        public JsonObject? ModelConfig => null;
        public JsonNode? Vocabulary => null;
        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context) => new(Ops.Sum(-model.W), 1);

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
        {
            double w = model.W.Value.Span[0];
            return new Dictionary<string, double> { ["loss"] = validation is null ? (w - 5) * (w - 5) : validation(w) };
        }

        public JsonObject? SaveState() => null;
        public void RestoreState(JsonObject? state) { }
    }

    private static TrainingOptions ClimbingOptions(long maxSteps, string checkpoints) => new()
    {
        MaxSteps = maxSteps, Optimizer = OptimizerKind.Sgd, LearningRate = 1, ClipNorm = null, EvalEverySteps = 4,
        RestoreBestWeights = true, CheckpointDirectory = checkpoints,
    };

    // Straight on, 10 steps evaluate at 4 (loss 1), 8 (9) and 10 (25): best step 4. Stopped at step 5 (or 3), the run's final
    // evaluation (0, or 4 with no scheduled one before it) is its best and DIR/best holds it; resumed to 10 steps, the run
    // must end as the straight one does: best value, step, restored weights and DIR/best.
    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void Resume_AfterAFinalEvaluationThatWasTheBest_EndsWithTheUninterruptedRunsBest(int stopAt)
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-final-best");
        string straightDir = tmp.Combine("straight"), dir = tmp.Combine("stopped");
        var straightModel = new ClimbingModel(0);
        var straight = new Trainer<double>(straightModel, new ClimbingTask(straightModel), ClimbingOptions(10, straightDir), pool).Train();
        Assert.Equal((4L, 1.0), (straight.BestStep, straight.BestMetric));
        Assert.Equal(4.0, straightModel.W.Value.Span[0]);

        var firstModel = new ClimbingModel(0);
        var first = new Trainer<double>(firstModel, new ClimbingTask(firstModel), ClimbingOptions(stopAt, dir), pool).Train();
        Assert.Equal((long)stopAt, first.BestStep);                                     // the stopped run's best is its final evaluation
        Assert.Equal(stopAt, Checkpoint.Load<double>(Path.Combine(dir, "best")).Step);
        Assert.Equal(stopAt > 4, Checkpoint.Exists(Path.Combine(dir, Trainer<double>.ScheduledBestDirectory)));

        var resumedModel = new ClimbingModel(-7);
        var resumed = new Trainer<double>(resumedModel, new ClimbingTask(resumedModel), ClimbingOptions(10, dir), pool);
        resumed.Resume(Path.Combine(dir, "last"));
        Assert.Equal(stopAt > 4 ? 4 : 0, resumed.BestStep);
        var second = resumed.Train();

        Assert.Equal(TrainerTestSupport.Bits(straight.StepLosses), TrainerTestSupport.Bits([.. first.StepLosses, .. second.StepLosses]));
        Assert.Equal((straight.BestStep, straight.BestMetric), (second.BestStep, second.BestMetric));
        Assert.Equal(straightModel.W.Value.Span[0], resumedModel.W.Value.Span[0]);
        var straightBest = Checkpoint.Load<double>(Path.Combine(straightDir, "best"));
        var best = Checkpoint.Load<double>(Path.Combine(dir, "best"));
        Assert.Equal(straightBest.Step, best.Step);
        Assert.Equal(straightBest.Parameters[0].Tensor.Span.ToArray(), best.Parameters[0].Tensor.Span.ToArray());
        Assert.False(Checkpoint.Exists(Path.Combine(dir, Trainer<double>.ScheduledBestDirectory)));
    }

    private static TrainingOptions Options(long maxSteps, string? checkpoints = null) => new()
    {
        MaxSteps = maxSteps, Optimizer = OptimizerKind.Adam, LearningRate = 0.1, ClipNorm = null, EvalEverySteps = 0,
        CheckpointDirectory = checkpoints,
    };

    [Fact]
    public void Resume_TiedParameterAndAParameterSomeStepsSkip_ContinuesBitIdentically()
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-tied");
        var straightModel = new TiedModel(0.3);
        var straight = new Trainer<double>(straightModel, new AlternatingTask(straightModel), Options(9), pool).Train();

        var firstModel = new TiedModel(0.3);
        var first = new Trainer<double>(firstModel, new AlternatingTask(firstModel), Options(5, tmp.Path), pool).Train();
        // Step 5 used b (batch 0 of epoch 1); step 6 does not: Adam must still move b by its momentum, as it does straight on.
        var resumedModel = new TiedModel(-2.0);
        var resumed = new Trainer<double>(resumedModel, new AlternatingTask(resumedModel), Options(9), pool);
        resumed.Resume(tmp.Combine("last"));
        var second = resumed.Train();

        Assert.Equal(9, straight.StepLosses.Count);
        Assert.Equal(straight.StepLosses.Select(BitConverter.DoubleToInt64Bits), first.StepLosses.Concat(second.StepLosses).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(straightModel.B.Value.Span.ToArray(), resumedModel.B.Value.Span.ToArray());
        Assert.Equal(straightModel.W.Value.Span.ToArray(), resumedModel.W.Value.Span.ToArray());
        Assert.Same(resumedModel.W, resumedModel.Parameter("w_alias"));
    }

    [Fact]
    public void Resume_WithAnotherOptimizer_IsRefusedBeforeAnythingChanges()
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-other-optimizer");
        var first = new TiedModel(0.3);
        new Trainer<double>(first, new AlternatingTask(first), Options(3, tmp.Path), pool).Train();
        var model = new TiedModel(-2.0);
        var sgd = new Trainer<double>(model, new AlternatingTask(model), Options(6) with { Optimizer = OptimizerKind.Sgd }, pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => sgd.Resume(tmp.Combine("last")));
        Assert.Contains("trained with Adam, these options use Sgd", e.Message);
        Assert.Equal([-2.0, -2.0], model.W.Value.Span.ToArray());   // the weights were not overwritten
        Assert.Equal(0, sgd.Step);
    }

    [Fact]
    public void Train_IntoADirectoryWhoseLastHoldsOtherFiles_IsRefusedBeforeTheFirstStep()
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-foreign-last");
        Directory.CreateDirectory(tmp.Combine("last"));
        File.WriteAllText(Path.Combine(tmp.Combine("last"), "notes.txt"), "keep me");
        var model = new TiedModel(0.3);
        var trainer = new Trainer<double>(model, new AlternatingTask(model), Options(3, tmp.Path), pool);
        var e = Assert.Throws<IOException>(() => trainer.Train());
        Assert.Contains("notes.txt', which is not part of a SeqLearn checkpoint", e.Message);
        Assert.Equal(0, trainer.Step);
        Assert.Equal([0.3, 0.3], model.W.Value.Span.ToArray());
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(tmp.Combine("last"), "notes.txt")));

        File.Delete(Path.Combine(tmp.Combine("last"), "notes.txt"));   // the empty directory is taken, and the lock released before
        new Trainer<double>(model, new AlternatingTask(model), Options(3, tmp.Path), pool).Train();
        Assert.Equal(3, Checkpoint.Load<double>(tmp.Combine("last")).Step);
    }
}
