using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// The optimizers and the learning-rate schedule refuse an invalid argument with an exception whose ParamName is the
/// caller's parameter: the constructor's <c>learningRate</c> (not the property setter's <c>value</c>), <c>nesterov</c>,
/// an imported <c>state</c>, the schedule's <c>settings</c>.
/// </summary>
public sealed class OptimizerArgumentTests
{
    private static Var<float>[] Parameters() => [new Var<float>(Tensor<float>.Zeros(3), requiresGrad: true, "w")];

    public static TheoryData<string, double> Rates() => new()
    {
        { "sgd", -1 }, { "sgd", double.NaN }, { "adam", -1 }, { "adam", double.PositiveInfinity }, { "adamw", -1 }, { "adamw", double.NaN },
    };

    private static Optimizer<float> Create(string kind, double learningRate) => kind switch
    {
        "sgd" => new Sgd<float>(Parameters(), learningRate),
        "adam" => new Adam<float>(Parameters(), learningRate),
        _ => new AdamW<float>(Parameters(), learningRate),
    };

    [Theory]
    [MemberData(nameof(Rates))]
    public void Constructor_InvalidLearningRate_NamesLearningRate(string kind, double learningRate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(kind, learningRate));
        Assert.Equal("learningRate", e.ParamName);
        Assert.Contains("learning rate must be finite and ≥ 0", e.Message);
    }

    [Fact]
    public void LearningRateSetter_Invalid_NamesValue()
    {
        var optimizer = Create("adam", 0.1);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = -1).ParamName);
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void Sgd_NesterovWithoutMomentumOrWithDampening_NamesNesterov()
    {
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd<float>(Parameters(), 0.1, nesterov: true)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd<float>(Parameters(), 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)).ParamName);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void ImportState_InvalidLearningRate_NamesState_AndChangesNothing(string kind)
    {
        var optimizer = Create(kind, 0.1);
        var bad = optimizer.ExportState() with { LearningRate = double.NaN };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.ImportState(bad));
        Assert.Equal("state", e.ParamName);
        Assert.Contains(".ImportState: the state's learning rate must be finite and ≥ 0, got NaN.", e.Message);
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void ImportState_RefusedState_NamesState()
    {
        var adam = Create("adam", 0.1);
        var sgd = Create("sgd", 0.1);
        OptimizerState<float> State(OptimizerKind kind, ParameterState<float> parameter) => new(kind, 0.1, [parameter]);
        ArgumentAssert.Invalid("state", () => adam.ImportState(sgd.ExportState()));                                   // the algorithm
        ArgumentAssert.Invalid("state", () => adam.ImportState(adam.ExportState() with { Parameters = [] }));        // the count
        ArgumentAssert.Invalid("state", () => adam.ImportState(State(OptimizerKind.Adam, new(1, ExpAvg: Tensor<float>.Zeros(2), ExpAvgSq: Tensor<float>.Zeros(2)))));
        ArgumentAssert.Invalid("state", () => adam.ImportState(State(OptimizerKind.Adam, new(1))));                   // t > 0 without moments
        ArgumentAssert.Invalid("state", () => adam.ImportState(State(OptimizerKind.Adam, new(0, MomentumBuffer: Tensor<float>.Zeros(3)))));
        ArgumentAssert.Invalid("state", () => sgd.ImportState(State(OptimizerKind.Sgd, new(0, ExpAvg: Tensor<float>.Zeros(3), ExpAvgSq: Tensor<float>.Zeros(3)))));
        ArgumentAssert.Invalid("state", () => new Adam<float>(Parameters(), 0.1, beta1: 0.8).ImportState(adam.ExportState()));   // β₁
        var e = ArgumentAssert.Invalid("state", () => sgd.ImportState(sgd.ExportState() with { Hyperparameters = new Dictionary<string, double> { ["lr_decay"] = 1 } }));
        Assert.Contains("the state records a hyperparameter 'lr_decay' that Sgd does not have", e.Message);
    }

    [Fact]
    public void ReduceLROnPlateau_UndefinedMode_NamesIt()
    {
        // An undefined mode would otherwise be taken as Max (best starts at −∞) and an undefined threshold mode as Abs.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau<float>(Create("sgd", 0.1), (PlateauMode)7));
        Assert.Equal("mode", e.ParamName);
        Assert.StartsWith("ReduceLROnPlateau: 7 is not a PlateauMode (one of Min, Max).", e.Message);
        ArgumentAssert.OutOfRange("thresholdMode", () => new ReduceLROnPlateau<float>(Create("sgd", 0.1), thresholdMode: (ThresholdMode)(-1)));
    }

    [Theory]
    [InlineData(ScheduleKind.StepDecay, "schedule_base_lr", -0.1, "field 'schedule_base_lr' is -0.1; a learning rate is finite and ≥ 0.")]
    [InlineData(ScheduleKind.Cosine, "schedule_epoch", -3, "field 'schedule_epoch' is -3; it counts from 0.")]
    [InlineData(ScheduleKind.ReduceOnPlateau, "plateau_bad_epochs", -1, "field 'plateau_bad_epochs' is -1; it counts from 0.")]
    [InlineData(ScheduleKind.ReduceOnPlateau, "plateau_cooldown", -2, "field 'plateau_cooldown' is -2; it counts from 0.")]
    public void LearningRateSchedule_RestoreState_RefusesANegativeCounterOrRate_ChangingNothing(ScheduleKind kind, string field, double value, string expected)
    {
        // Restored, a negative base rate made the next epoch's rate an ArgumentOutOfRangeException of the optimizer mid-run,
        // and a negative counter continued the run on other learning rates than the interrupted one.
        var optimizer = Create("sgd", 0.1);
        var schedule = new LearningRateSchedule<float>(optimizer, new ScheduleSettings(kind, Epochs: 10));
        var state = schedule.SaveState();
        state[field] = field == "schedule_base_lr" ? JsonValue.Create(value) : JsonValue.Create((int)value);
        Assert.Equal("schedule state: " + expected, Assert.Throws<FormatException>(() => schedule.RestoreState(state)).Message);
        schedule.EndEpoch();
        double expectedRate = kind switch
        {
            ScheduleKind.StepDecay => 0.05,                                 // γ = 0.5 after one epoch of step size 1
            ScheduleKind.Cosine => 0.05 * (1 + Math.Cos(Math.PI / 10)),
            _ => 0.1,
        };
        Assert.Equal(expectedRate, optimizer.LearningRate, 1e-15);           // the refused state changed nothing
    }

    [Theory]
    [InlineData(ScheduleKind.Cosine, 1, 0.5, null)]        // cosine without its period
    [InlineData(ScheduleKind.StepDecay, 0, 0.5, 3)]
    [InlineData(ScheduleKind.StepDecay, 1, 1.0, 3)]
    [InlineData((ScheduleKind)9, 1, 0.5, 3)]
    public void LearningRateSchedule_InvalidSettings_NamesSettings(ScheduleKind kind, int stepSize, double gamma, int? epochs)
    {
        var settings = new ScheduleSettings(kind, stepSize, gamma, Epochs: epochs);
        var e = Assert.Throws<ArgumentException>(() => new LearningRateSchedule<float>(Create("sgd", 0.1), settings));
        Assert.Equal("settings", e.ParamName);
        Assert.StartsWith("ScheduleSettings: ", e.Message);
    }
}
