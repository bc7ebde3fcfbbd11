using System.Text.Json.Nodes;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>The task's batches, token counts, metrics and state checks.</summary>
public sealed class TranslationTaskTests
{
    private static (Seq2Seq<float> Model, TranslationTask<float> Task, List<int[]> ValidTargets) Task(int batchSize = 8, ulong seed = 3)
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(12, 12, 4, 6, Attention: AttentionKind.LuongGeneral), new SeededRng(2));
        var (src, tgt) = ReverseTaskTests.Reverse(50, 1);
        var (vs, vt) = ReverseTaskTests.Reverse(10, 2);
        return (model, new TranslationTask<float>(model, src, tgt, vs, vt, ReverseTaskTests.Specials, batchSize, seed), vt);
    }

    [Fact]
    public void TrainingLoss_CountsTargetTokensWithEos_AndCoversEveryPairOncePerEpoch()
    {
        var (_, task, _) = Task();
        Assert.Equal(7, task.BatchesPerEpoch);                                       // ⌈50 / 8⌉
        var (src, tgt) = ReverseTaskTests.Reverse(50, 1);
        long tokens = 0;
        for (int b = 0; b < task.BatchesPerEpoch; b++) tokens += task.TrainingLoss(0, b, new LayerContext()).Tokens;
        Assert.Equal(tgt.Sum(t => t.Length + 1), tokens);
    }

    [Fact]
    public void TrainingLoss_OnBatchesRefilledStepAfterStep_EqualsAFreshTasks_WholeAndInParts()
    {
        var (model, task, _) = Task();
        var (src, tgt) = ReverseTaskTests.Reverse(50, 1);
        TranslationTask<float> Fresh() => new(model, src, tgt, null, null, ReverseTaskTests.Specials, 8, 3);
        var context = new LayerContext();
        int Bits(TaskLoss<float> loss) => BitConverter.SingleToInt32Bits(loss.Loss.Value.Span[0]);
        for (int epoch = 0; epoch < 3; epoch++)   // source lengths 3 … 8: batches of one shape hold pairs of other lengths
            for (int b = 0; b < task.BatchesPerEpoch; b++)
            {
                Assert.Equal(Bits(Fresh().TrainingLoss(epoch, b, context)), Bits(task.TrainingLoss(epoch, b, context)));
                for (int part = 0; part < 2; part++)
                    Assert.Equal(Bits(Fresh().TrainingLoss(epoch, b, part, 2, context)), Bits(task.TrainingLoss(epoch, b, part, 2, context)));
            }
    }

    [Fact]
    public void TrainingLoss_BatchOrEpochOutOfRange_IsOutOfRangeNamingIt()
    {
        var (_, task, _) = Task();
        foreach (int batch in new[] { -1, task.BatchesPerEpoch })
        {
            Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(0, batch, new LayerContext())).ParamName);
            Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(0, batch, 0, 2, new LayerContext())).ParamName);
        }
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => task.TrainingLoss(-1, 0, new LayerContext())).ParamName);
    }

    [Fact]
    public void Training_IsBitIdenticalOnOneAndTwoThreads()
    {
        (long[] Losses, long Loss) Run(int threads)
        {
            var (model, task, _) = Task(batchSize: 8, seed: 4);
            using var pool = new WorkerPool(threads);
            var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 10, EvalEverySteps = 0, LearningRate = 0.01, Seed = 4 }, pool).Train();
            return (Training.TrainerTestSupport.Bits(result.StepLosses), BitConverter.DoubleToInt64Bits(result.FinalMetrics["loss"]));
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Losses, two.Losses);
        Assert.Equal(one.Loss, two.Loss);
    }

    [Fact]
    public void BatchSizeIntMax_IsOneBatchOfEveryPair()
    {
        var (_, task, _) = Task(batchSize: int.MaxValue);
        Assert.Equal(1, task.BatchesPerEpoch);
        var (_, tgt) = ReverseTaskTests.Reverse(50, 1);
        Assert.Equal(tgt.Sum(t => t.Length + 1), task.TrainingLoss(0, 0, new LayerContext()).Tokens);
    }

    [Fact]
    public void EmptyValidationLists_AreRefusedAtConstruction_NullScoresTheTrainingPairs()
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(12, 12, 4, 6), new SeededRng(2));
        var (src, tgt) = ReverseTaskTests.Reverse(20, 1);
        var e = Assert.Throws<ArgumentException>(() => new TranslationTask<float>(model, src, tgt, [], [], ReverseTaskTests.Specials, 8, 3));
        Assert.StartsWith("TranslationTask: the validation lists are empty: give at least one validation pair, or null for both", e.Message);
        Assert.Equal("validSources", e.ParamName);
        var task = new TranslationTask<float>(model, src, tgt, null, null, ReverseTaskTests.Specials, 8, 3);
        using var pool = new WorkerPool(1);
        Assert.True(task.Evaluate(pool)["loss"] > 0);
    }

    [Fact]
    public void Evaluate_ReportsLossAndTheScorersValueOnGreedyOutputsInValidationOrder()
    {
        var (model, task, validTargets) = Task();
        IReadOnlyList<Hypothesis>? seen = null;
        var scored = new TranslationTask<float>(model, ReverseTaskTests.Reverse(50, 1).Sources, ReverseTaskTests.Reverse(50, 1).Targets,
            ReverseTaskTests.Reverse(10, 2).Sources, validTargets, ReverseTaskTests.Specials, 8, 3)
        { Scorer = h => { seen = h; return 0.25; } };
        model.Eval();
        using var pool = new WorkerPool(1);
        var plain = task.Evaluate(pool);
        Assert.Equal(["loss"], plain.Keys);
        var metrics = scored.Evaluate(pool);
        Assert.Equal(plain["loss"], metrics["loss"]);
        Assert.Equal(0.25, metrics["bleu"]);
        Assert.Equal(10, seen!.Count);
        var direct = Seq2SeqDecoding.Greedy(model, ReverseTaskTests.Reverse(10, 2).Sources, ReverseTaskTests.Specials, new DecodingOptions(), pool);
        Assert.Equal(direct.Select(h => string.Join(" ", h.Tokens)), seen.Select(h => string.Join(" ", h.Tokens)));
        Assert.True(metrics["loss"] > 0 && double.IsFinite(metrics["loss"]));
    }

    [Fact]
    public void LabelSmoothing_TrainingLossIsLinearInEpsilon_ValidationLossUnchanged()
    {
        // ℓ_ε = (1 − ε)·ℓ₀ + ε·ℓ₁ exactly (the smoothed target is linear in ε); validation reports the plain cross-entropy.
        var (model, plain, validTargets) = Task();
        var (src, tgt) = ReverseTaskTests.Reverse(50, 1);
        TranslationTask<float> With(double epsilon) =>
            new(model, src, tgt, ReverseTaskTests.Reverse(10, 2).Sources, validTargets, ReverseTaskTests.Specials, 8, 3) { LabelSmoothing = epsilon };
        double Loss(TranslationTask<float> task, int batch) => task.TrainingLoss(0, batch, new LayerContext()).Loss.Value.Span[0];
        for (int b = 0; b < 3; b++)
        {
            double l0 = Loss(plain, b), l1 = Loss(With(1), b), l3 = Loss(With(0.3), b);
            Assert.NotEqual(l0, l1, 3);
            Assert.Equal(0.7 * l0 + 0.3 * l1, l3, 4);
        }
        using var pool = new WorkerPool(1);
        model.Eval();
        Assert.Equal(plain.Evaluate(pool)["loss"], With(0.3).Evaluate(pool)["loss"]);
        foreach (double bad in new[] { -0.1, 1.5, double.NaN })
            Assert.Contains("TranslationTask: label smoothing", Assert.Throws<ArgumentOutOfRangeException>(() => With(bad)).Message);
    }

    [Fact]
    public void RestoreState_AcceptsItsOwn_RejectsOtherBatchSizeOrSeed()
    {
        var (_, task, _) = Task();
        var state = task.SaveState();
        task.RestoreState(JsonNode.Parse(state!.ToJsonString())!.AsObject());
        Assert.Throws<IncompatibleCheckpointException>(() => Task(batchSize: 16).Task.RestoreState(state));
        Assert.Throws<IncompatibleCheckpointException>(() => Task(seed: 4).Task.RestoreState(state));
        Assert.Equal("seq2seq", (string?)task.ModelConfig!["type"]);
    }

    [Fact]
    public void DivergedLoss_Is10LnVOfTheTarget_AndAValidationLossAboveItStopsTheTrainer()
    {
        var (model, task, _) = Task();
        Assert.Equal(10 * Math.Log(12), task.DivergedLoss!.Value, 12);
        using var pool = new WorkerPool(1);
        var options = new TrainingOptions { MaxSteps = 3, EvalEverySteps = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 1e-9, ClipNorm = null };
        var trainer = new Trainer<float>(model, task, options, pool);
        double untrained = trainer.Evaluate()["loss"];
        Assert.InRange(untrained, 0.5 * Math.Log(12), 2 * Math.Log(12));   // about ln V: a near-uniform guess
        var bias = model.Decoder.Out.Bias!.Value.Span;
        for (int v = 0; v < bias.Length; v++) bias[v] = v == ReverseTaskTests.Specials.Pad ? 0 : -1000;   // every real token scored e^−1000
        bias[ReverseTaskTests.Specials.Pad] = 1000;
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(1, e.Step);
        Assert.Contains("above 24.85", e.Message);
    }
}

/// <summary>The task through the trainer: a resumed run continues bit-exactly (dropout, bucketed batches, Adam, the "bleu" monitor).</summary>
public sealed class TranslationTrainerTests
{
    private static (Seq2Seq<float>, TranslationTask<float>) Make(ulong modelSeed = 2, double labelSmoothing = 0, ulong dataSeed = 1)
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(12, 12, 4, 6, NumLayers: 2, Attention: AttentionKind.Bahdanau, Bidirectional: true, Dropout: 0.2),
            new SeededRng(modelSeed));
        var (src, tgt) = ReverseTaskTests.Reverse(60, dataSeed);
        var (vs, vt) = ReverseTaskTests.Reverse(8, 2);
        // A toy scorer: the fraction of exact matches (the monitored "bleu").
        return (model, new TranslationTask<float>(model, src, tgt, vs, vt, ReverseTaskTests.Specials, 8, 5)
        {
            Scorer = hs => hs.Zip(vt).Count(p => p.First.Tokens.SequenceEqual(p.Second)) / (double)vt.Count,
            Decoding = new DecodingOptions(MaxLengthA: 1, MaxLengthB: 2),
            LabelSmoothing = labelSmoothing,
        });
    }

    // Label smoothing, two parts, reduce-on-plateau on "bleu" with patience 0: the evaluation at step 8 finds no better
    // score than step 4's and lowers η. Stopped right after it (on one thread), resumed on two: the same losses and η.
    [Fact]
    public void Resume_RightAfterAPlateauReduction_WithLabelSmoothingAndTwoParts_OnAnotherThreadCount_ContinuesBitIdentically()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("trainer-resume-translate-plateau");
        var options = new TrainingOptions
        {
            MaxSteps = 14, EvalEverySteps = 4, Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, LearningRate = 0.01, Seed = 9, MicroBatches = 2,
            Schedule = SeqLearn.Optim.Schedules.ScheduleKind.ReduceOnPlateau, PlateauPatience = 0, Gamma = 0.5, ClipNorm = 0.5,
        };
        (TrainingResult Result, double Eta) Run(TrainingOptions o, int threads, ulong modelSeed = 2, string? resume = null, double? etaAfterResume = null)
        {
            var (model, task) = Make(modelSeed, labelSmoothing: 0.1);
            using var pool = new WorkerPool(threads);
            var trainer = new Trainer<float>(model, task, o, pool);
            if (resume is not null)
            {
                trainer.Resume(resume);
                Assert.Equal(etaAfterResume, trainer.Optimizer.LearningRate);
            }
            return (trainer.Train(), trainer.Optimizer.LearningRate);
        }
        var straight = Run(options, 2);
        var first = Run(options with { MaxSteps = 8, CheckpointDirectory = tmp.Path }, 1);
        Assert.Equal(0.005, first.Eta);                                   // the evaluation at step 8 lowered η
        var second = Run(options, 2, modelSeed: 77, resume: tmp.Combine("last"), etaAfterResume: 0.005);
        Assert.Equal(straight.Result.StepLosses.Select(BitConverter.DoubleToInt64Bits),
            first.Result.StepLosses.Concat(second.Result.StepLosses).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(straight.Eta, second.Eta);
        Assert.Equal(straight.Result.FinalMetrics["loss"], second.Result.FinalMetrics["loss"]);
    }

    [Fact]
    public void Resume_WithTheSameNumberOfOtherPairs_IsRefused()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("trainer-resume-translate-data");
        using var pool = new WorkerPool(1);
        var options = new TrainingOptions { MaxSteps = 2, EvalEverySteps = 0, Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, LearningRate = 0.01, Seed = 9 };
        var (m1, t1) = Make();
        new Trainer<float>(m1, t1, options with { CheckpointDirectory = tmp.Path }, pool).Train();
        var (m2, t2) = Make(dataSeed: 3);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => new Trainer<float>(m2, t2, options, pool).Resume(tmp.Combine("last")));
        Assert.Contains("other training data", e.Message);
    }

    [Fact]
    public void Resume_WithAnotherLabelSmoothing_IsRefused_NamingBoth()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("trainer-resume-translate-smoothing");
        using var pool = new WorkerPool(1);
        var options = new TrainingOptions { MaxSteps = 2, EvalEverySteps = 0, Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, LearningRate = 0.01, Seed = 9 };
        var (m1, t1) = Make(labelSmoothing: 0.1);
        new Trainer<float>(m1, t1, options with { CheckpointDirectory = tmp.Path }, pool).Train();
        var (m2, t2) = Make(labelSmoothing: 0.2);
        var trainer = new Trainer<float>(m2, t2, options, pool);
        var e = Assert.Throws<IncompatibleCheckpointException>(() => trainer.Resume(tmp.Combine("last")));
        Assert.Contains("label smoothing 0.1", e.Message);
        Assert.Contains("label smoothing 0.2", e.Message);
    }

    [Fact]
    public void Resume_TranslationTask_ContinuesWithBitIdenticalLosses()
    {
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("trainer-resume-translate");
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = 20, EvalEverySteps = 6, Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, LearningRate = 0.01, Seed = 9 };
        var (m1, t1) = Make();
        var straight = new Trainer<float>(m1, t1, options, pool).Train();
        var (m2, t2) = Make();
        var first = new Trainer<float>(m2, t2, options with { MaxSteps = 11, CheckpointDirectory = tmp.Path }, pool).Train();
        var (m3, t3) = Make(modelSeed: 77);
        var resumed = new Trainer<float>(m3, t3, options, pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.Equal(11, resumed.Step);
        var second = resumed.Train();
        Assert.Equal(straight.StepLosses.Select(BitConverter.DoubleToInt64Bits), first.StepLosses.Concat(second.StepLosses).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(straight.FinalMetrics["loss"], second.FinalMetrics["loss"]);
        Assert.Equal(straight.FinalMetrics["bleu"], second.FinalMetrics["bleu"]);
    }
}
