using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Optim;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Training;

/// <summary>
/// A run stopped by an exception inside a checkpoint write (<see cref="CrashHook.ThrowOnThisThread"/>, at each point of the
/// write sequence) and resumed from DIR/last ends as the uninterrupted run: the same losses, best, weights and DIR/best.
/// </summary>
public class TrainerCrashResumeTests
{
    // Validation loss 0.5, 2, 0.25, 1 at w = 2, 4, 6, 8: evaluated every 2 steps, steps 2 and 6 are new bests, 4 and 8 are not.
    private static TrainerResumeEdgeTests.ClimbingTask Task(TrainerResumeEdgeTests.ClimbingModel model) =>
        new(model, w => w switch { 4 => 2, 6 => 0.25, 8 => 1, _ => 0.5 });

    private static TrainingOptions StepOptions(string checkpoints) => new()
    {
        MaxSteps = 8, Optimizer = OptimizerKind.Sgd, LearningRate = 1, ClipNorm = null, EvalEverySteps = 2,
        RestoreBestWeights = true, CheckpointDirectory = checkpoints,
    };

    // The writes: step 2 best and last, step 4 last, step 6 best and last (writes 4 and 5 in some order), step 8 last. The
    // crash stops the evaluation at step 6 inside either of its two writes; the resumed run must find the weights of its
    // best so far, put DIR/best in order, and end as the uninterrupted run.
    [Theory]
    [InlineData(4, CrashHook.Before)]
    [InlineData(4, CrashHook.FileWritten)]
    [InlineData(4, CrashHook.Filled)]
    [InlineData(4, CrashHook.MovedOld)]
    [InlineData(4, CrashHook.MovedNew)]
    [InlineData(5, CrashHook.Before)]
    [InlineData(5, CrashHook.FileWritten)]
    [InlineData(5, CrashHook.Filled)]
    [InlineData(5, CrashHook.MovedOld)]
    [InlineData(5, CrashHook.MovedNew)]
    public void CrashInsideTheWritesOfANewBest_ResumeEndsAsTheUninterruptedRun(int write, string point)
    {
        using var pool = new WorkerPool(1);
        using var tmp = new TempDir("trainer-crash-best");
        string straightDir = tmp.Combine("straight"), dir = tmp.Combine("crashed");
        var straightModel = new TrainerResumeEdgeTests.ClimbingModel(0);
        var straight = new Trainer<double>(straightModel, Task(straightModel), StepOptions(straightDir), pool).Train();
        Assert.Equal((6L, 0.25), (straight.BestStep, straight.BestMetric));

        var crashedModel = new TrainerResumeEdgeTests.ClimbingModel(0);
        using (CrashHook.ThrowOnThisThread(write, point))
            Assert.Throws<CrashHook.SimulatedCrashException>(() =>
                new Trainer<double>(crashedModel, Task(crashedModel), StepOptions(dir), pool).Train());

        var resumedModel = new TrainerResumeEdgeTests.ClimbingModel(-3);
        var resumed = new Trainer<double>(resumedModel, Task(resumedModel), StepOptions(dir), pool);
        resumed.Resume(Path.Combine(dir, "last"));
        var second = resumed.Train();

        Assert.Equal(Bits(straight.StepLosses.Skip((int)(8 - second.StepLosses.Count))), Bits(second.StepLosses));
        Assert.Equal((straight.BestStep, straight.BestMetric), (second.BestStep, second.BestMetric));
        Assert.Equal(straightModel.W.Value.Span[0], resumedModel.W.Value.Span[0]);   // the restored best weights (w = 6)
        foreach (string name in new[] { "best", "last" })
        {
            var expected = Checkpoint.Load<double>(Path.Combine(straightDir, name));
            var actual = Checkpoint.Load<double>(Path.Combine(dir, name));
            Assert.Equal(expected.Step, actual.Step);
            Assert.Equal(expected.Parameters[0].Tensor.Span.ToArray(), actual.Parameters[0].Tensor.Span.ToArray());
        }
    }
}
