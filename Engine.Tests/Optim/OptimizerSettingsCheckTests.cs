using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Tests.Optim;

/// <summary>Settings that would be silently ignored or turn into ∞ are refused where they are given, naming them.</summary>
public class OptimizerSettingsCheckTests
{
    [Fact]
    public void GradientScaleBeyondFloat_IsRefused_AndChangesNothing()
    {
        var p = new Var<float>(Tensor<float>.FromArray([1f, 2f], 2), requiresGrad: true) { Grad = Tensor<float>.FromArray([0f, 1f], 2) };
        foreach (Optimizer<float> optimizer in new Optimizer<float>[] { new Sgd<float>([p], 0.1), new Adam<float>([p], 0.1) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Step(1e39, zeroGradients: false));   // finite as a double, ∞ as a float
            Assert.Contains("beyond the range of Single", e.Message);
            Assert.Equal([1f, 2f], p.Value.ToArray());
        }
        new Sgd<double>([new Var<double>(Tensor<double>.FromArray([1.0], 1), requiresGrad: true) { Grad = Tensor<double>.FromArray([1.0], 1) }], 0.1)
            .Step(1e39, zeroGradients: false);                                     // a double holds it
    }

    [Fact]
    public void SchedulesWithInfiniteFactors_AreRefusedAtConstruction()
    {
        var optimizer = new Sgd<double>([new Var<double>(Tensor<double>.Zeros(1), requiresGrad: true)], 0.1);
        Assert.Equal("minLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR<double>(optimizer, 4, double.PositiveInfinity)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR<double>(optimizer, 1, double.PositiveInfinity)).ParamName);
        Assert.Contains("cosine period", Assert.Throws<ArgumentException>(() => new ScheduleSettings(ScheduleKind.Cosine, Epochs: 0).Validate()).Message);
        // Out-of-range values are refused for every kind, also where the kind ignores them.
        Assert.Contains("gamma", Assert.Throws<ArgumentException>(() => new ScheduleSettings(ScheduleKind.Constant, Gamma: 5).Validate()).Message);
        Assert.Contains("step size", Assert.Throws<ArgumentException>(() => new ScheduleSettings(ScheduleKind.Cosine, StepSize: -3, Epochs: 4).Validate()).Message);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void MomentumOrNesterovForAnAdamKind_IsRefused(OptimizerKind kind)
    {
        var momentum = Assert.Throws<ArgumentException>(() => new OptimizerSettings(kind, 0.01, Momentum: 0.9).Validate());
        Assert.Contains("SGD's", momentum.Message);
        Assert.Equal("Momentum", momentum.ParamName);
        var nesterov = Assert.Throws<ArgumentException>(() => new OptimizerSettings(kind, 0.01, Nesterov: true).Validate());
        Assert.Contains("SGD's", nesterov.Message);
        Assert.Equal("Nesterov", nesterov.ParamName);
        new OptimizerSettings(OptimizerKind.Sgd, 0.01, Momentum: 0.9, Nesterov: true).Validate();
    }

    [Fact]
    public void PatienceOrPlateauWithoutScheduledEvaluations_IsRefused()
    {
        var options = new TrainingOptions { Epochs = 6, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 };
        Assert.Contains("set EvalEverySteps or EvalEveryTime", Assert.Throws<ArgumentException>(() => (options with { Patience = 1 }).Validate()).Message);
        Assert.Contains("reduce-on-plateau", Assert.Throws<ArgumentException>(() => (options with { Schedule = ScheduleKind.ReduceOnPlateau }).Validate()).Message);
        (options with { Patience = 1, Schedule = ScheduleKind.ReduceOnPlateau, EvalEverySteps = 4 }).Validate();
        (options with { Patience = 1, EvalEveryTime = TimeSpan.FromSeconds(30) }).Validate();
    }

    [Theory]
    [InlineData(-30.0)]
    [InlineData(0.0)]
    public void ANonPositiveEvaluationInterval_IsRefused_NotAnEvaluationAfterEveryStep(double seconds)
    {
        var options = new TrainingOptions { MaxSteps = 5, Patience = 1, EvalEveryTime = TimeSpan.FromSeconds(seconds) };
        Assert.Contains("EvalEveryTime must be positive", Assert.Throws<ArgumentException>(() => options.Validate()).Message);
    }

    public static TheoryData<OptimizerSettings, string> InvalidSettings() => new()
    {
        { new((OptimizerKind)9), "Kind" },
        { new(LearningRate: 0), "LearningRate" },
        { new(OptimizerKind.Sgd, Momentum: -1), "Momentum" },
        { new(WeightDecay: double.NaN), "WeightDecay" },
        { new(OptimizerKind.Sgd, Nesterov: true), "Nesterov" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void OptimizerSettings_InvalidSetting_IsNamedAsTheParameter(OptimizerSettings settings, string setting)
    {
        Assert.Equal(setting, Assert.Throws<ArgumentException>(settings.Validate).ParamName);
    }

    [Fact]
    public void OptimizerSettingsInsideTrainingOptions_AreNamedWithoutTheirParameterSuffix()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions { MaxSteps = 1, Optimizer = OptimizerKind.Adam, Momentum = 0.9 }.Validate());
        Assert.StartsWith("TrainingOptions: OptimizerSettings: momentum and Nesterov are SGD's", e.Message);
        Assert.DoesNotContain("(Parameter", e.Message);
    }
}
