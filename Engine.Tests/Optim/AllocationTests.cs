using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Optim;

/// <summary>The per-step paths of a training or sampling loop allocate nothing once warmed up.</summary>
[Collection(AllocationMeasurements.Name)]
public class AllocationTests
{
    private static Var<float>[] Params()
    {
        var rng = new SeededRng(1);
        var ps = new[] { new Var<float>(Tensor<float>.Normal([8, 8], 0, 1, rng), true, "w"), new Var<float>(Tensor<float>.Normal([8], 0, 1, rng), true, "b") };
        foreach (var p in ps) p.Grad = Tensor<float>.Normal(p.Value.ShapeArray(), 0, 1, rng);
        return ps;
    }

    [Fact]
    public void OptimizerStepZeroGradAndClip_AllocateNothing()
    {
        var ps = Params();
        Optimizer<float>[] opts = [new Sgd<float>(ps, 0.01, momentum: 0.9, nesterov: true), new Adam<float>(ps, 1e-3), new AdamW<float>(ps, 1e-3)];
        foreach (var opt in opts) Assert.Equal(0, AllocationMeter.AllocatedBy(opt.Step));
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => GradClip.ClipGradNorm(ps, 0.5)));
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => GradClip.ClipGradValue(ps, 0.5)));
        Assert.Equal(0, AllocationMeter.AllocatedBy(opts[0].ZeroGrad));
        using var pool = new SeqLearn.Kernels.WorkerPool(2);
        var big = new[] { new Var<float>(Tensor<float>.Zeros(70_001), true, "big") };
        big[0].Grad = Tensor<float>.Ones(70_001);
        var pooled = new Adam<float>(big, 1e-3) { Pool = pool };
        pooled.Step();                                                     // warm up: moments allocated once
        Assert.Equal(0, AllocationMeter.AllocatedBy(pooled.Step));
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => pooled.Step(0.5, zeroGradients: true)));       // the trainer's fused step
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => GradClip.MeasureGradNorm(big, 0.5, pool)));
    }

    [Fact]
    public void SamplerAndBatcherFill_AllocateNothing()
    {
        var rng = new SeededRng(2);
        var logits = Enumerable.Range(0, 100).Select(_ => (float)rng.NextNormal()).ToArray();
        var sampler = new Sampler(100);
        var options = new SamplingOptions(0.8, 20, 0.9);
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => sampler.Sample(logits, options, rng)));
        var batcher = new BpttBatcher(Enumerable.Range(0, 1000).ToArray(), 4, 10);
        var inputs = new int[40];
        var targets = new int[40];
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => batcher.Fill(3, inputs, targets)));
    }

    /// <summary>A task whose loss is the sum of a linear layer's weights: the trainer's own per-step work is all that is left.</summary>
    private sealed class WeightSumTask(Linear<float> model) : ITrainingTask<float>
    {
        private static readonly Dictionary<string, double> Metrics = new() { ["loss"] = 1 };

        public int BatchesPerEpoch => 4;

        public TaskLoss<float> TrainingLoss(int epoch, int batch, LayerContext context) => new(Ops.Sum(model.Weight), 1);

        public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool) => Metrics;

        public JsonObject? ModelConfig => null;

        public JsonNode? Vocabulary => null;

        public JsonObject? SaveState() => null;

        public void RestoreState(JsonObject? state) { }
    }

    [Fact]
    public void TrainerStep_AllocatesNothingBeyondTheTasksLossAndBackward()
    {
        // Runs of 40 and 60 steps differ only by 20 steps: the step losses' list has the same capacity (64) after both, there is
        // one final evaluation and no progress report. So the difference is 20 × what a step allocates, which must be the task's
        // forward and backward alone (clipping and the pooled optimizer step allocate nothing, tested above).
        var model = new Linear<float>(3, 2, new SeededRng(4));
        var task = new WeightSumTask(model);
        using var pool = new WorkerPool(1);
        long Run(int steps)
        {
            long fewest = long.MaxValue;
            for (int attempt = 0; attempt < 5; attempt++)   // the smallest count: a GC during the run can only add to it (Support/AllocationMeter)
            {
                var trainer = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = steps, EvalEverySteps = 0, ProgressEvery = 1000, ClipNorm = 1, LearningRate = 1e-3 }, pool);
                long before = GC.GetAllocatedBytesForCurrentThread();
                trainer.Train();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return fewest;
        }
        var context = new LayerContext(new SeededRng(1), pool);
        long taskSteps = AllocationMeter.AllocatedBy(() => task.TrainingLoss(0, 0, context).Loss.Backward(), repeats: 20);
        Run(40);
        Assert.Equal(taskSteps, Run(60) - Run(40));
    }

    [Fact]
    public void BeamSearchLengthStep_AllocatesOnlyTheModelsStates()
    {
        // A model whose state is an int allocates nothing per step; with no EOS the W results are cut at the maximum length,
        // so searches of 20 and 40 tokens (both within the first size of the hypotheses' token buffers) differ only by the 20 more
        // tokens of each of the W results.
        const int width = 4;
        var model = new DelegateTokenModel<int>(50, (token, state, logits) =>
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)Math.Sin(0.37 * i + 1.3 * token + 0.11 * state);
            return state * 31 + token;
        });
        long Bytes(int length) => AllocationMeter.SmallestOf(3, () => BeamSearch.Search(model, 0, [1], new BeamSearchOptions(width, length)), repeats: 3);
        Assert.Equal(3 * width * 20 * sizeof(int), Bytes(40) - Bytes(20));
    }

    [Fact]
    public void TranslationBeamStoppingTest_AllocatesNothing()
    {
        // The per-step test of each source: K = 3 finished hypotheses, their best scores kept by AddFinished.
        var finished = new List<Hypothesis>();
        var best = new double[3];
        foreach (double s in new[] { -4.0, -1.0, -3.0, -2.0, -5.0 })
            BeamSearchDecoder.AddFinished(finished, best, new Hypothesis([4], [0], s, s, true, null));
        Assert.Equal([-1.0, -2.0, -3.0], best);
        double[] live = [-2.5, -7.0];
        Assert.True(BeamSearchDecoder.CannotImprove(finished.Count, best, live, 0.5));    // −2.5 / 0.5 = −5 ≤ −3
        Assert.False(BeamSearchDecoder.CannotImprove(finished.Count, best, live, 2.0));   // −1.25 > −3
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => BeamSearchDecoder.CannotImprove(finished.Count, best, live, 2.0)));
    }
}
