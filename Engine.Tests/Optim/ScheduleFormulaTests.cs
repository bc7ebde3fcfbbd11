using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Optim;

public class ScheduleFormulaTests
{
    private static Sgd<double> Opt(double lr) => new([new Var<double>(Tensor<double>.Zeros(1), true)], lr);

    [Fact]
    public void StepLR_DecaysEveryStepSizeEpochs()
    {
        var opt = Opt(1.0);
        var s = new StepLR<double>(opt, stepSize: 2, gamma: 0.1);
        double[] expected = [1.0, 0.1, 0.1, 0.01, 0.01];
        for (int e = 1; e <= 5; e++) { s.Step(); Assert.Equal(expected[e - 1], opt.LearningRate, 12); }
    }

    /// <summary>A negative epoch count (a resume set by hand) is refused and leaves the schedule where it was.</summary>
    [Fact]
    public void EpochSchedule_NegativeEpoch_IsRefused()
    {
        var s = new StepLR<double>(Opt(1.0), stepSize: 2, gamma: 0.1) { Epoch = 3 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => s.Epoch = -1);
        Assert.Equal("value", e.ParamName);
        Assert.StartsWith("StepLR: the epoch count must be ≥ 0, got -1.", e.Message);
        Assert.Equal(3, s.Epoch);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR<double>(Opt(1.0), 10) { Epoch = -5 });
    }

    [Fact]
    public void StepLR_FirstDecayEpoch_ZarembaSchedule_FourEpochsAtEta0ThenHalvedEachEpoch()
    {
        var s = new StepLR<double>(Opt(1.0), stepSize: 1, gamma: 0.5, firstDecayEpoch: 4);
        Assert.Equal([1.0, 1, 1, 1, 0.5, 0.25, 0.125, 0.0625], Enumerable.Range(0, 8).Select(s.LearningRateAt));
        var plain = new StepLR<double>(Opt(1.0), stepSize: 3, gamma: 0.5);
        var explicitFirst = new StepLR<double>(Opt(1.0), stepSize: 3, gamma: 0.5, firstDecayEpoch: 3);
        for (int e = 0; e < 12; e++)
        {
            Assert.Equal(Math.Pow(0.5, e / 3), plain.LearningRateAt(e), 15);   // d defaults to s: PyTorch's StepLR
            Assert.Equal(plain.LearningRateAt(e), explicitFirst.LearningRateAt(e));
        }
        // Epoch 0 runs at the optimizer's own rate (a schedule acts when an epoch ends), so no epoch 0 can be "decayed".
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR<double>(Opt(1.0), stepSize: 1, gamma: 0.5, firstDecayEpoch: 0));
        Assert.Throws<ArgumentException>(() => new ScheduleSettings(ScheduleKind.StepDecay, FirstDecayEpoch: 0).Validate());
    }

    [Fact]
    public void CosineAnnealing_EndpointsAndMidpoint()
    {
        var opt = Opt(0.5);
        var s = new CosineAnnealingLR<double>(opt, tMax: 4, minLearningRate: 0.1);
        Assert.Equal(0.5, s.LearningRateAt(0), 12);
        Assert.Equal(0.3, s.LearningRateAt(2), 12);   // (η₀ + η_min) / 2 at the half period
        Assert.Equal(0.1, s.LearningRateAt(4), 12);
    }

    [Fact]
    public void ReduceLROnPlateau_MaxMode_ReducesAfterPatienceAndRespectsMinLr()
    {
        var opt = Opt(1.0);
        var s = new ReduceLROnPlateau<double>(opt, PlateauMode.Max, factor: 0.5, patience: 1, threshold: 0, minLearningRate: 0.3);
        Assert.False(s.Step(0.5));  // best 0.5
        Assert.False(s.Step(0.5));  // bad 1
        Assert.True(s.Step(0.4));   // bad 2 > patience → 0.5
        Assert.Equal(0.5, opt.LearningRate);
        Assert.False(s.Step(0.9));  // improvement
        Assert.False(s.Step(0.1));
        Assert.True(s.Step(0.1));   // → max(0.25, 0.3) = 0.3
        Assert.Equal(0.3, opt.LearningRate);
        Assert.False(s.Step(0.1));
        Assert.False(s.Step(0.1));  // already at η_min: no change
        Assert.Equal(0.3, opt.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateau_NaNMetric_Throws()
    {
        var s = new ReduceLROnPlateau<double>(Opt(1.0));
        Assert.Throws<ArgumentException>(() => s.Step(double.NaN));
    }
}
