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
