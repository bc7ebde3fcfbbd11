using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Generation;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>The per-step paths of a training or sampling loop allocate nothing once warmed up.</summary>
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
}
