using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// A step or an import that fails changes nothing: a gradient of the wrong shape and an invalid state are found
/// before any parameter, moment or learning rate is touched, so a caller that catches the error and goes on sees
/// exactly the run it would have had without the failed call.
/// </summary>
public class OptimizerFailureTests
{
    public static TheoryData<string> Kinds => ["sgd", "adam", "adamw"];

    private static Var<double>[] Parameters() =>
    [
        new(Tensor<double>.FromArray([0.5, -1.0, 2.0], [3]), requiresGrad: true, name: "a"),
        new(Tensor<double>.FromArray([1.5, 0.25], [2]), requiresGrad: true, name: "b"),
    ];

    private static Optimizer<double> Make(string kind, Var<double>[] ps) => kind switch
    {
        "sgd" => new Sgd<double>(ps, 0.1, momentum: 0.9, weightDecay: 0.01),
        "adam" => new Adam<double>(ps, 0.1, weightDecay: 0.01),
        _ => new AdamW<double>(ps, 0.1, weightDecay: 0.01),
    };

    private static void Grads(Var<double>[] ps, int step)
    {
        ps[0].Grad = Tensor<double>.FromArray([0.3 + step, -0.2, 0.1 * step], [3]);
        ps[1].Grad = Tensor<double>.FromArray([-0.4, 0.7 - step], [2]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Step_WithAMisshapenGradient_ThrowsAndChangesNothing(string kind)
    {
        var (ps, reference) = (Parameters(), Parameters());
        var (opt, referenceOpt) = (Make(kind, ps), Make(kind, reference));
        for (int step = 0; step < 3; step++)
        {
            if (step == 1)
            {
                Grads(ps, step);
                ps[1].Grad = Tensor<double>.Zeros(3);                       // the second parameter's gradient has the wrong shape
                var e = Assert.Throws<InvalidOperationException>(() => opt.Step());
                string name = kind switch { "sgd" => "Sgd", "adam" => "Adam", _ => "AdamW" };
                Assert.Equal($"{name}.Step (b value vs. grad): shapes (2) and (3) must be equal.", e.Message);
                Assert.Equal(e.Message, Assert.Throws<InvalidOperationException>(() => opt.Step(0.5, zeroGradients: false)).Message);
                Assert.Equal(reference[0].Value.ToArray(), ps[0].Value.ToArray());   // the first parameter was not updated
            }
            Grads(ps, step);
            Grads(reference, step);
            opt.Step();
            referenceOpt.Step();
            for (int p = 0; p < ps.Length; p++) Assert.Equal(reference[p].Value.ToArray(), ps[p].Value.ToArray());
        }
        var (state, referenceState) = (opt.ExportState(), referenceOpt.ExportState());
        for (int p = 0; p < ps.Length; p++) Assert.Equal(referenceState.Parameters[p].Step, state.Parameters[p].Step);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ImportState_Invalid_ThrowsAndChangesNothing(string kind)
    {
        var ps = Parameters();
        var opt = Make(kind, ps);
        Grads(ps, 0);
        opt.Step();
        var before = opt.ExportState();
        // Parameter a's state is valid for this optimizer; b's belongs to the other family, so the import must fail at b.
        var valid = before.Parameters[0] with { Step = 7 };
        var foreign = kind == "sgd"
            ? new ParameterState<double>(1, ExpAvg: Tensor<double>.Zeros(2), ExpAvgSq: Tensor<double>.Zeros(2))
            : new ParameterState<double>(1, MomentumBuffer: Tensor<double>.Zeros(2));
        var bad = before with { LearningRate = 0.5, Parameters = [valid, foreign] };
        Assert.Throws<ArgumentException>(() => opt.ImportState(bad));
        var after = opt.ExportState();
        Assert.Equal(before.LearningRate, opt.LearningRate);
        for (int p = 0; p < ps.Length; p++)
        {
            Assert.Equal(before.Parameters[p].Step, after.Parameters[p].Step);
            Assert.Equal(before.Parameters[p].Buffers().Select(b => b.Buffer.ToArray()), after.Parameters[p].Buffers().Select(b => b.Buffer.ToArray()));
        }
    }

    public static TheoryData<string, string, string> HyperparameterMismatches => new()
    {
        { "sgd", "momentum", "0.5" }, { "sgd", "nesterov", "1" }, { "sgd", "weight_decay", "0" }, { "sgd", "dampening", "0.1" },
        { "adam", "beta2", "0.98" }, { "adam", "eps", "1E-06" }, { "adamw", "beta1", "0.8" }, { "adamw", "weight_decay", "0" },
    };

    [Theory]
    [MemberData(nameof(HyperparameterMismatches))]
    public void ImportState_RecordedWithOtherHyperparameters_ThrowsNamingBothValuesAndChangesNothing(string kind, string name, string value)
    {
        var (ps, other) = (Parameters(), Parameters());
        var opt = Make(kind, ps);
        Grads(ps, 0);
        opt.Step();
        var before = opt.ExportState();
        var source = Make(kind, other);
        var stored = source.Hyperparameters.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(stored.ContainsKey(name));
        stored[name] = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var state = before with { LearningRate = 0.5 };
        state = state with { Hyperparameters = stored };

        var e = Assert.Throws<ArgumentException>(() => opt.ImportState(state));
        Assert.Contains($"{name} = {value}", e.Message);
        Assert.Contains($"{name} = {opt.Hyperparameters[name].ToString(System.Globalization.CultureInfo.InvariantCulture)}", e.Message);
        Assert.Equal(before.LearningRate, opt.LearningRate);
        Assert.Equal(before.Parameters[0].Step, opt.ExportState().Parameters[0].Step);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ExportState_RecordsTheHyperparameters_ImportIntoTheSameSettingsAndAHandBuiltStateIsAccepted(string kind)
    {
        var ps = Parameters();
        var opt = Make(kind, ps);
        var state = opt.ExportState();
        Assert.Equal(opt.Hyperparameters.OrderBy(kv => kv.Key), state.Hyperparameters!.OrderBy(kv => kv.Key));
        Assert.Equal(0.01, state.Hyperparameters!["weight_decay"]);
        Make(kind, Parameters()).ImportState(state);
        Make(kind, Parameters()).ImportState(state with { Hyperparameters = null });

        var extra = state.Hyperparameters!.ToDictionary(kv => kv.Key, kv => kv.Value);
        extra["amsgrad"] = 0;
        var e = Assert.Throws<ArgumentException>(() => Make(kind, Parameters()).ImportState(state with { Hyperparameters = extra }));
        Assert.Contains("'amsgrad'", e.Message);
        var missing = state.Hyperparameters!.Where(kv => kv.Key != "weight_decay").ToDictionary(kv => kv.Key, kv => kv.Value);
        e = Assert.Throws<ArgumentException>(() => Make(kind, Parameters()).ImportState(state with { Hyperparameters = missing }));
        Assert.Contains("'weight_decay'", e.Message);
    }
}
