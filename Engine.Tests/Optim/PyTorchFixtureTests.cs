using System.Text.Json;
using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// Replays the gradients recorded by scripts/pytorch_optim_fixtures.py (PyTorch 1.13, float32) and compares
/// every parameter after every step, and the schedules' learning-rate sequences, to 1e-6.
/// </summary>
public class PyTorchFixtureTests
{
    private static JsonElement Case(string file, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("optim", file)));
        foreach (var c in doc.RootElement.EnumerateArray())
            if (c.GetProperty("name").GetString() == name) return c.Clone();
        throw new InvalidOperationException($"{file} has no case '{name}'.");
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    private static Optimizer<float> Make(string name, IReadOnlyList<Var<float>> ps) => name switch
    {
        "sgd_plain_wd" => new Sgd<float>(ps, 0.1, weightDecay: 0.01),
        "sgd_momentum_dampening" => new Sgd<float>(ps, 0.1, momentum: 0.9, dampening: 0.1),
        "sgd_nesterov_wd" => new Sgd<float>(ps, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        "adam" => new Adam<float>(ps, 0.01, 0.9, 0.999, 1e-8),
        "adam_wd" => new Adam<float>(ps, 0.01, 0.8, 0.99, 1e-6, weightDecay: 0.1),
        "adamw" => new AdamW<float>(ps, 0.01, 0.9, 0.999, 1e-8, weightDecay: 0.1),
        "sgd_momentum_absent_lr" => new Sgd<float>(ps, 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.02),
        "adam_wd_absent_lr" => new Adam<float>(ps, 0.1, 0.8, 0.9, 1e-3, weightDecay: 0.1),
        "adamw_absent_lr" => new AdamW<float>(ps, 0.1, 0.8, 0.9, 1e-3, weightDecay: 0.1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("sgd_plain_wd")]
    [InlineData("sgd_momentum_dampening")]
    [InlineData("sgd_nesterov_wd")]
    [InlineData("adam")]
    [InlineData("adam_wd")]
    [InlineData("adamw")]
    [InlineData("sgd_momentum_absent_lr")]    // some steps leave a parameter without a gradient (skipped: no decay, no
    [InlineData("adam_wd_absent_lr")]         // state change) and the learning rate changes between steps
    [InlineData("adamw_absent_lr")]
    public void Optimizer_MatchesPyTorch(string name)
    {
        var c = Case("optimizers.json", name);
        var shapes = c.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
        var initial = c.GetProperty("initial").EnumerateArray().Select(Floats).ToArray();
        var ps = shapes.Select((s, i) => new Var<float>(Tensor<float>.FromArray(initial[i], s), requiresGrad: true, name: $"p{i}")).ToArray();
        var opt = Make(name, ps);
        int step = 0;
        foreach (var s in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            var grads = s.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : Floats(g)).ToArray();
            var expected = s.GetProperty("params").EnumerateArray().Select(Floats).ToArray();
            for (int p = 0; p < ps.Length; p++) ps[p].Grad = grads[p] is { } g ? Tensor<float>.FromArray(g, shapes[p]) : null;
            if (s.TryGetProperty("lr", out var lr)) opt.LearningRate = lr.GetDouble();
            opt.Step();
            for (int p = 0; p < ps.Length; p++)
                TensorAssert.AllClose<float>(expected[p], ps[p].Value.Span, 0, 1e-6, $"{name} step {step} p{p}");
        }
        Assert.Equal(5, step);
    }

    private static double[] Lrs(JsonElement c) => c.GetProperty("lrs").EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static Sgd<float> Dummy() => new([new Var<float>(Tensor<float>.Zeros(1), true)], 0.1);

    private static double[] RunEpochs(EpochSchedule<float> schedule, Optimizer<float> opt, int count)
    {
        var lrs = new List<double> { opt.LearningRate };
        for (int e = 1; e < count; e++) { schedule.Step(); lrs.Add(opt.LearningRate); }
        return lrs.ToArray();
    }

    [Fact]
    public void StepLR_MatchesPyTorch()
    {
        var expected = Lrs(Case("schedules.json", "step_lr"));
        var opt = Dummy();
        TensorAssert.AllClose<double>(expected, RunEpochs(new StepLR<float>(opt, stepSize: 3, gamma: 0.5), opt, expected.Length), 0, 1e-12, "StepLR");
    }

    [Fact]
    public void CosineAnnealingLR_MatchesPyTorch()
    {
        var expected = Lrs(Case("schedules.json", "cosine"));
        var opt = Dummy();
        TensorAssert.AllClose<double>(expected, RunEpochs(new CosineAnnealingLR<float>(opt, tMax: 5, minLearningRate: 0.01), opt, expected.Length), 0, 1e-12, "CosineAnnealingLR");
    }

    [Theory]
    [InlineData("plateau_rel", 0.5, 2, 0.01, ThresholdMode.Rel, 1, 0.02)]
    [InlineData("plateau_abs", 0.3, 1, 0.05, ThresholdMode.Abs, 0, 0.0)]
    public void ReduceLROnPlateau_MatchesPyTorch(string name, double factor, int patience, double threshold, ThresholdMode mode, int cooldown, double minLr)
    {
        var c = Case("schedules.json", name);
        var expected = Lrs(c);
        var metrics = c.GetProperty("metrics").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var opt = Dummy();
        var s = new ReduceLROnPlateau<float>(opt, PlateauMode.Min, factor, patience, threshold, mode, cooldown, minLr);
        var actual = new List<double> { opt.LearningRate };
        foreach (double m in metrics) { s.Step(m); actual.Add(opt.LearningRate); }
        TensorAssert.AllClose<double>(expected, actual.ToArray(), 0, 1e-12, name);
    }
}
