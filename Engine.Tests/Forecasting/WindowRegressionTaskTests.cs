using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;
using static SeqLearn.Tests.Training.TrainerTestSupport;

namespace SeqLearn.Tests.Forecasting;

public class WindowRegressionTaskTests
{
    // Windows of T = 12 past values of y = sin(0.3 t) → the next value; N = 300 training windows, 60 held out.
    private static WindowSet<float> Sine(int start, int count)
    {
        const int T = 12;
        var x = new float[count * T];
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            for (int t = 0; t < T; t++) x[n * T + t] = MathF.Sin(0.3f * (start + n + t));
            y[n] = MathF.Sin(0.3f * (start + n + T));
        }
        return new WindowSet<float>(x, y, T, 1, 1);
    }

    private static Sequential<float> Model(ulong seed)
    {
        var rng = new SeededRng(seed);
        return new Sequential<float>(new Lstm<float>(1, 16, rng), new LastStep<float>(), new Linear<float>(16, 1, rng));
    }

    [Fact]
    public void Train_SineWindows_PredictsTheNextValueFarBetterThanPersistence()
    {
        var (train, valid) = (Sine(0, 300), Sine(400, 60));
        using var pool = new WorkerPool(1);
        var model = Model(1);
        var task = new WindowRegressionTask<float>(model, train, valid, batchSize: 16, seed: 2);
        var result = new Trainer<float>(model, task, new TrainingOptions { Epochs = 30, LearningRate = 0.01, EvalEverySteps = 0 }, pool).Train();

        // Persistence (ŷ = last input) on these windows: RMSE = |sin(a + 0.3) − sin(a)| averaged ≈ 2 sin(0.15)/√2 ≈ 0.211.
        double persistence = Math.Sqrt(Enumerable.Range(0, valid.Count).Average(n =>
            Math.Pow(valid.Targets[n] - valid.Inputs[n * 12 + 11], 2)));
        Assert.InRange(persistence, 0.19, 0.23);
        Assert.True(result.FinalMetrics["rmse"] < persistence / 5, $"LSTM RMSE {result.FinalMetrics["rmse"]:F4} vs persistence {persistence:F4}");
    }

    [Fact]
    public void Resume_WindowTask_ContinuesWithBitIdenticalLosses()
    {
        using var tmp = new Checkpoints.TempDir("window-resume");
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = 30, EvalEverySteps = 8, LearningRate = 0.01, Seed = 4 };
        TrainingResult Run(TrainingOptions o, ulong seed, string? resume = null)
        {
            var model = Model(seed);
            var trainer = new Trainer<float>(model, new WindowRegressionTask<float>(model, Sine(0, 100), Sine(200, 20), 16, 3), o, pool);
            if (resume is not null) trainer.Resume(resume);
            return trainer.Train();
        }
        var straight = Run(options, 1);
        var first = Run(options with { MaxSteps = 13, CheckpointDirectory = tmp.Path }, 1);
        var second = Run(options, 77, tmp.Combine("last"));
        Assert.Equal(Bits(straight.StepLosses), Bits([.. first.StepLosses, .. second.StepLosses]));

        var shifted = Model(1);   // as many windows, from another stretch of the series
        var other = new Trainer<float>(shifted, new WindowRegressionTask<float>(shifted, Sine(1, 100), Sine(200, 20), 16, 3), options, pool);
        Assert.Contains("other training data", Assert.Throws<IncompatibleCheckpointException>(() => other.Resume(tmp.Combine("last"))).Message);
    }

    // 100 windows in batches of 16: 7 batches an epoch. The first run stops at step 14, the last batch of epoch 1, where
    // step decay has just lowered η and a scheduled evaluation ran; resumed on another thread count with clipping, patience
    // and RestoreBestWeights, the run continues with the same losses and ends on the same weights and stop reason.
    [Fact]
    public void Resume_AtTheLastStepOfAnEpoch_WithStepDecayClippingAndPatience_OnAnotherThreadCount_ContinuesBitIdentically()
    {
        using var tmp = new Checkpoints.TempDir("window-resume-epoch-end");
        var options = new TrainingOptions
        {
            MaxSteps = 140, EvalEverySteps = 7, LearningRate = 0.1, Seed = 4, Schedule = SeqLearn.Optim.Schedules.ScheduleKind.StepDecay, StepSize = 1,
            Gamma = 0.9, ClipNorm = 0.2, Patience = 2, RestoreBestWeights = true,
        };
        (TrainingResult Result, long[] Weights, double Eta) Run(TrainingOptions o, int threads, ulong seed, string? resume = null)
        {
            using var pool = new WorkerPool(threads);
            var model = Model(seed);
            var trainer = new Trainer<float>(model, new WindowRegressionTask<float>(model, Sine(0, 100), Sine(200, 20), 16, 3), o, pool);
            if (resume is not null)
            {
                trainer.Resume(resume);
                Assert.Equal((2, 0), (trainer.Epoch, trainer.Batch));
            }
            var result = trainer.Train();
            var weights = model.Parameters().SelectMany(p => p.Value.ToArray()).Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray();
            return (result, weights, trainer.Optimizer.LearningRate);
        }
        var straight = Run(options, 1, 1);
        var first = Run(options with { MaxSteps = 14, CheckpointDirectory = tmp.Path }, 1, 1);
        Assert.Equal(0.1 * 0.9 * 0.9, first.Eta, 15);
        var second = Run(options, 2, 77, tmp.Combine("last"));
        Assert.Equal(Bits(straight.Result.StepLosses), Bits([.. first.Result.StepLosses, .. second.Result.StepLosses]));
        Assert.Equal(StopReason.EarlyStopping, straight.Result.Reason);
        Assert.Equal((straight.Result.Reason, straight.Result.BestStep, straight.Result.Steps), (second.Result.Reason, second.Result.BestStep, second.Result.Steps));
        Assert.Equal(straight.Weights, second.Weights);
        Assert.Equal(straight.Eta, second.Eta);
    }
    [Fact]
    public void Training_IsBitIdenticalOnOneAndTwoThreads()
    {
        // 100 windows in batches of 16: six full batches and a last one of 4 in each epoch, over three epochs.
        (long[] Losses, long Rmse) Run(int threads)
        {
            using var pool = new WorkerPool(threads);
            var model = Model(5);
            var task = new WindowRegressionTask<float>(model, Sine(0, 100), Sine(200, 20), 16, 3);
            var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 21, EvalEverySteps = 0, LearningRate = 0.01, Seed = 4 }, pool).Train();
            return (Bits(result.StepLosses), BitConverter.DoubleToInt64Bits(result.FinalMetrics["rmse"]));
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Losses, two.Losses);
        Assert.Equal(one.Rmse, two.Rmse);
    }

    [Fact]
    public void BatchSizeIntMax_IsOneBatchPerEpoch_AndEvaluatesEveryWindow()
    {
        var model = Model(1);
        var task = new WindowRegressionTask<float>(model, Sine(0, 30), null, batchSize: int.MaxValue, seed: 2);
        Assert.Equal(1, task.BatchesPerEpoch);
        using var pool = new WorkerPool(1);
        model.Eval();
        using (new SeqLearn.Autograd.NoGradScope())
            Assert.Equal(new WindowRegressionTask<float>(model, Sine(0, 30), null, 7, 2).Evaluate(pool)["loss"], task.Evaluate(pool)["loss"], 5);
    }

    [Fact]
    public void DivergedLoss_Is100TimesTheConstantForecastsLoss_AboveAnUntrainedModel_BelowAnExplodedOne()
    {
        var (train, valid) = (Sine(0, 300), Sine(400, 60));
        var rng = new SeededRng(1);
        var output = new Linear<float>(16, 1, rng);
        var model = new Sequential<float>(new Lstm<float>(1, 16, rng), new LastStep<float>(), output);
        var task = new WindowRegressionTask<float>(model, train, valid, batchSize: 16, seed: 2);
        double mean = train.Targets.Average(y => (double)y);
        double variance = train.Targets.Average(y => Math.Pow(y - mean, 2)), constant = valid.Targets.Average(y => Math.Pow(y - mean, 2));
        Assert.InRange(variance, 0.4, 0.6);   // sin² averages ½
        Assert.Equal(100 * Math.Max(variance, constant), task.DivergedLoss!.Value, 9);

        using var pool = new WorkerPool(1);
        model.Eval();
        using (new SeqLearn.Autograd.NoGradScope())
        {
            double untrained = task.Evaluate(pool)["loss"];
            Assert.True(untrained < task.DivergedLoss / 10, $"an untrained model ({untrained}) must be far below the bound {task.DivergedLoss}");
            output.Bias!.Value.Span.Fill(100);   // forecasts near 100 for values in [−1, 1]: RMSE ≈ 100
            Assert.True(task.Evaluate(pool)["loss"] > task.DivergedLoss);
        }
        var flat = new WindowSet<float>(new float[40], Enumerable.Repeat(3f, 10).ToArray(), 4, 1, 1);
        Assert.Null(new WindowRegressionTask<float>(model, flat, null, 4, 1).DivergedLoss);   // constant targets: no scale
    }
}
