using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// The pieces together on gradients produced by autograd: a one-hidden-layer tanh network fitted to a smooth
/// target with AdamW, global-norm clipping and cosine annealing, checkpointed halfway and resumed.
/// </summary>
public class TrainingLoopTests
{
    private const int N = 32, E = 3, H = 8;

    private sealed record Net(Var<double> W1, Var<double> B1, Var<double> W2, Var<double> B2)
    {
        public Var<double>[] Parameters => [W1, B1, W2, B2];

        public static Net Create(ulong seed)
        {
            var rng = new SeededRng(seed);
            return new Net(
                new Var<double>(Tensor<double>.Normal([E, H], 0, 0.5, rng), true, "w1"),
                new Var<double>(Tensor<double>.Zeros(H), true, "b1"),
                new Var<double>(Tensor<double>.Normal([H, 1], 0, 0.5, rng), true, "w2"),
                new Var<double>(Tensor<double>.Zeros(1), true, "b2"));
        }

        /// <summary>y = tanh(x W1 + b1) W2 + b2, then backward of L = ½ Σ (y − t)² / N via the explicit upstream gradient.</summary>
        public double LossAndBackward(Tensor<double> x, Tensor<double> t)
        {
            var h = Ops.Tanh(Ops.MatMul(new Var<double>(x), W1) + B1);   // (N, H)
            var y = Ops.MatMul(h, W2) + B2;                                // (N, 1)
            var gy = Tensor<double>.Zeros(N, 1);
            double loss = 0;
            for (int i = 0; i < N; i++)
            {
                double r = y.Value.Span[i] - t.Span[i];
                loss += 0.5 * r * r / N;
                gy.Span[i] = r / N;                                        // ∂L/∂y
            }
            y.Backward(gy);
            return loss;
        }
    }

    private static (Tensor<double> X, Tensor<double> T) Data()
    {
        var rng = new SeededRng(3);
        var x = Tensor<double>.Uniform([N, E], -1, 1, rng);
        var t = Tensor<double>.Zeros(N, 1);
        for (int i = 0; i < N; i++) t.Span[i] = Math.Sin(2 * x[i, 0]) + 0.5 * x[i, 1] * x[i, 2];
        return (x, t);
    }

    private static double TrainSteps(Net net, AdamW<double> opt, CosineAnnealingLR<double> schedule, int steps)
    {
        var (x, t) = Data();
        double loss = 0;
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            loss = net.LossAndBackward(x, t);
            var clip = GradClip.ClipGradNorm(net.Parameters, maxNorm: 1.0, errorIfNonFinite: true);
            Assert.True(clip.IsFinite);
            opt.Step();
            schedule.Step();
        }
        return loss;
    }

    [Fact]
    public void AdamW_WithClippingAndCosine_FitsAndResumesBitIdentically()
    {
        var net = Net.Create(1);
        var opt = new AdamW<double>(net.Parameters, 0.05, weightDecay: 1e-4);
        var schedule = new CosineAnnealingLR<double>(opt, tMax: 400, minLearningRate: 1e-3);
        var (x, t) = Data();
        double initial = net.LossAndBackward(x, t);
        TrainSteps(net, opt, schedule, 200);

        using var tmp = new TempDir("loop");
        Checkpoint.Save(tmp.Combine("mid"), new CheckpointData<double>
        {
            Parameters = CheckpointData<double>.Snapshot(net.Parameters),
            Optimizer = opt.ExportState(),
            Step = 200,
            TrainerState = new System.Text.Json.Nodes.JsonObject { ["schedule_epoch"] = schedule.Epoch },
        });
        double final = TrainSteps(net, opt, schedule, 200);
        Assert.True(final < initial / 10, $"loss went from {initial} to {final}");

        var loaded = Checkpoint.Load<double>(tmp.Combine("mid"));
        var resumed = Net.Create(999);
        loaded.RestoreInto(resumed.Parameters);
        var opt2 = new AdamW<double>(resumed.Parameters, 0.05, weightDecay: 1e-4);
        opt2.ImportState(loaded.Optimizer!);
        var schedule2 = new CosineAnnealingLR<double>(opt2, tMax: 400, minLearningRate: 1e-3)
        {
            BaseLearningRate = 0.05,
            Epoch = (int)loaded.TrainerState!["schedule_epoch"]!,
        };
        Assert.Equal(schedule2.LearningRateAt(200), opt2.LearningRate, 15);
        TrainSteps(resumed, opt2, schedule2, 200);
        for (int p = 0; p < 4; p++) TensorAssert.BitEqual<double>(net.Parameters[p].Value.Span, resumed.Parameters[p].Value.Span, net.Parameters[p].Name);
    }
}
