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

/// <summary>
/// Resume checks the whole checkpoint before it changes anything, and a run resumed from a loaded checkpoint ends on the
/// best weights as the uninterrupted run does.
/// </summary>
public class TrainerResumeValidationTests
{
    /// <summary>One weight w, from 0.</summary>
    private sealed class OneWeight : Module<double>
    {
        public OneWeight() => W = AddParameter("w", Tensor<double>.Zeros(1));

        public Var<double> W { get; }
    }

    /// <summary>
    /// Training loss (w − 1)²: SGD with η = 0.01 moves w to 1 − 0.98ᵗ after t steps. The monitored "fit" −(w − 0.2)² is best
    /// near step 11, so with an evaluation every 5 steps the best evaluation is step 10 and w walks on past it.
    /// </summary>
    private sealed class PastTheBestTask(OneWeight model) : ITrainingTask<double>
    {
        public int BatchesPerEpoch => 3;
        public JsonObject? ModelConfig => null;
        public JsonNode? Vocabulary => null;

        public TaskLoss<double> TrainingLoss(int epoch, int batch, LayerContext context)
        {
            var d = Ops.AddScalar(model.W, -1.0);
            return new TaskLoss<double>(Ops.Sum(d * d), 1);
        }

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
        {
            double d = model.W.Value.Span[0] - 0.2;
            return new Dictionary<string, double> { ["fit"] = -d * d };
        }

        public JsonObject? SaveState() => null;
        public void RestoreState(JsonObject? state) { }
    }

    private static TrainingOptions Options(long maxSteps, string? checkpoints = null) => new()
    {
        MaxSteps = maxSteps, Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, ClipNorm = null, EvalEverySteps = 5,
        Monitor = "fit", MonitorGoal = MetricGoal.Maximize, RestoreBestWeights = true, CheckpointDirectory = checkpoints,
    };

    // A run stopped at step 20 and resumed from the checkpoint loaded by the caller (as `translate train --resume` does)
    // ends on the step-10 weights, the uninterrupted run's; the loaded checkpoint alone does not hold them and is refused.
    [Fact]
    public void Resume_LoadedCheckpointWithItsDirectory_EndsOnTheBestWeights_AsTheUninterruptedRun()
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-loaded-best");
        var straightModel = new OneWeight();
        var straight = new Trainer<double>(straightModel, new PastTheBestTask(straightModel), Options(40), pool).Train();
        Assert.Equal(10, straight.BestStep);
        Assert.Equal(1 - Math.Pow(0.98, 10), straightModel.W.Value.Span[0], 12);

        var firstModel = new OneWeight();
        new Trainer<double>(firstModel, new PastTheBestTask(firstModel), Options(20, tmp.Path), pool).Train();
        string last = tmp.Combine("last");
        var data = Checkpoint.Load<double>(last);

        var alone = new OneWeight();
        var refused = new Trainer<double>(alone, new PastTheBestTask(alone), Options(40), pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => refused.Resume(data));
        Assert.Contains("RestoreBestWeights needs the weights of its best step 10", e.Message);
        Assert.Equal(0, refused.Step);

        var resumedModel = new OneWeight();
        var resumed = new Trainer<double>(resumedModel, new PastTheBestTask(resumedModel), Options(40), pool);
        resumed.Resume(data, last);
        var second = resumed.Train();
        Assert.Equal((straight.BestStep, straight.BestMetric), (second.BestStep, second.BestMetric));
        Assert.Equal(straightModel.W.Value.Span[0], resumedModel.W.Value.Span[0]);
    }

    // One field of a valid checkpoint made wrong, and the words the refusal must contain.
    public static TheoryData<string, string> BadFields => new()
    {
        { "epoch=-1", "'epoch' is -1" },
        { "epoch=2147483647", "'epoch' is 2147483647" },
        { "epoch=19", "'epoch' is 19" },                        // 19 completed epochs and batch 2 of the next take 21 steps or more; the checkpoint is at 20
        { "epoch=x", "'epoch'" },
        { "bad_evaluations=-1", "'bad_evaluations' is -1" },
        { "best_step=21", "'best_step' is 21" },
        { "best_metric=x", "'best_metric'" },
        { "patience_best=x", "'patience_best'" },
        { "best_loss=x", "'best_loss'" },
        { "step=-1", "step -1" },
        { "lr=-1", "learning rate" },
        { "momentum=0.5", "momentum" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Resume_ImpossibleOrIllTypedField_IsRefusedBeforeAnythingChanges(string change, string expected)
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-resume-bad-field");
        var firstModel = new OneWeight();
        var options = Options(20, tmp.Path) with { RestoreBestWeights = false };
        new Trainer<double>(firstModel, new PastTheBestTask(firstModel), options, pool).Train();
        var data = Changed(Checkpoint.Load<double>(tmp.Combine("last")), change);

        // A trainer part-way through a run of its own: a refused resume leaves its weights, step, position and optimizer.
        var model = new OneWeight();
        var trainer = new Trainer<double>(model, new PastTheBestTask(model), options with { MaxSteps = 2, CheckpointDirectory = null }, pool);
        trainer.Train();
        double w = model.W.Value.Span[0];
        var before = trainer.Optimizer.ExportState();
        var e = Assert.Throws<IncompatibleCheckpointException>(() => trainer.Resume(data));
        Assert.Contains(expected, e.Message);
        Assert.Equal(w, model.W.Value.Span[0]);
        Assert.Equal((2L, 0, 2), (trainer.Step, trainer.Epoch, trainer.Batch));
        var after = trainer.Optimizer.ExportState();
        Assert.Equal(before.LearningRate, after.LearningRate);
        Assert.Equal(before.Parameters.Select(p => p.Step), after.Parameters.Select(p => p.Step));
    }

    private static CheckpointData<double> Changed(CheckpointData<double> data, string change)
    {
        string[] kv = change.Split('=');
        var (key, value) = (kv[0], kv[1]);
        var state = (JsonObject)data.TrainerState!.DeepClone();
        var optimizer = data.Optimizer!;
        long step = data.Step;
        switch (key)
        {
            case "step": step = long.Parse(value); break;
            case "lr": optimizer = optimizer with { LearningRate = double.Parse(value) }; break;
            case "momentum":
                optimizer = optimizer with { Hyperparameters = new Dictionary<string, double>(optimizer.Hyperparameters!) { [key] = double.Parse(value) } };
                break;
            default: state[key] = long.TryParse(value, out _) ? JsonNode.Parse(value) : JsonValue.Create(value); break;   // a number as read from a file
        }
        return new CheckpointData<double>
        {
            Parameters = data.Parameters, Optimizer = optimizer, Step = step, ModelConfig = data.ModelConfig, Vocabulary = data.Vocabulary,
            TrainerState = state, RngStates = data.RngStates,
        };
    }
}
