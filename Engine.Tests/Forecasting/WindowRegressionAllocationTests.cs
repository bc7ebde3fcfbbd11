using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Forecasting;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Forecasting;

/// <summary>
/// <see cref="WindowRegressionTask{T}"/> allocates per training step and per predicted batch only what the model's
/// forward (and loss and backward) do: the batch's (B, T, F) and (B, K) tensors are refilled, not made again. Each side is
/// measured over whole epochs of equal batches (80 windows, B = 8), the smallest of three readings after warm-up.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class WindowRegressionAllocationTests(ITestOutputHelper output)
{
    private const int N = 80, T = 6, B = 8;

    private static WindowSet<float> Windows(int count)
    {
        var x = new float[count * T];
        var y = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Sin(i * 0.1f);
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Cos(i * 0.1f);
        return new WindowSet<float>(x, y, T, 1, 1);
    }

    private static Sequential<float> Model() =>
        new(new Lstm<float>(1, 5, new SeededRng(1)), new LastStep<float>(), new Linear<float>(5, 1, new SeededRng(2)));

    [Fact]
    public void TrainingStep_AllocatesOnlyWhatTheModelsLossAndBackwardDo()
    {
        var model = Model();
        var task = new WindowRegressionTask<float>(model, Windows(N), null, B, seed: 2);
        var context = new LayerContext(new SeededRng(1));
        int batch = 0;
        long step = AllocationMeter.PerStep(output, "TrainingLoss + Backward", () => task.TrainingLoss(0, batch++ % task.BatchesPerEpoch, context).Loss.Backward());
        var (x, y) = (Tensor<float>.Zeros(B, T, 1), Tensor<float>.Zeros(B, 1));
        long bare = AllocationMeter.PerStep(output, "model loss + Backward", () => Ops.MseLoss(model.Forward(new Var<float>(x), context), new Var<float>(y)).Backward());
        Assert.Equal(bare, step);
    }

    [Fact]
    public void PredictAll_AllocatesOnlyItsResultPlanOneBatchAndForwards()
    {
        var model = Model();
        var data = Windows(N);
        var task = new WindowRegressionTask<float>(model, data, null, B, seed: 2);
        var x = Tensor<float>.Zeros(B, T, 1);
        using var noGrad = new NoGradScope();
        long predict = AllocationMeter.PerStep(output, "PredictAll", () => task.PredictAll(data, null), steps: 4);
        long bare = AllocationMeter.PerStep(output, "result, plan, one batch and forwards", () =>
        {
            var result = new float[N];
            data.Gather([0, 1, 2, 3, 4, 5, 6, 7]);
            var context = new LayerContext();
            foreach (var rows in BatchPlan.InOrder(N, B)) model.Forward(new Var<float>(x), context).Value.Span.CopyTo(result.AsSpan(rows[0]));
        }, steps: 4);
        Assert.Equal(bare, predict);
    }
}
