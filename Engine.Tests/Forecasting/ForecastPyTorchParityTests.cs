using System.Globalization;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Forecasting;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Forecasting;

/// <summary>
/// Parity with PyTorch 1.13 (float64) for <see cref="RecurrentForecastNetwork{T}"/> and the MSE of
/// <see cref="WindowRegressionTask{T}"/>: scripts/pytorch_forecast_fixture.py builds the same network (LSTM, GRU or tanh
/// RNN read at the last step, a linear head, optionally the linear path A vec(x) with A ≠ 0) under SeqLearn's parameter
/// names and stores, per case, one safetensors file with the weights, a batch of windows x (B, T, F), targets y (B, K),
/// the outputs ẑ, the loss and every parameter's gradient ("grad.&lt;name&gt;").
/// In double precision everything must agree to |a − e| ≤ 1e-10 + 1e-10·|e|: both sides evaluate the same formulas in
/// float64 and differ only by summation order, so the observed gaps are ~1e-16; a wrong step, gate or term is off by
/// far more. The float network (what <see cref="RecurrentForecaster"/> trains) is checked to single-precision tolerance.
/// </summary>
public sealed class ForecastPyTorchParityTests(ITestOutputHelper output)
{
    private const double Tol = 1e-10;
    private const double FloatTol = 1e-4;
    private static readonly string[] DataKeys = ["x", "y", "output", "loss"];

    private static readonly string[] Names =
    [
        "lstm_f1_k1",                    // LSTM, one feature, one output, no linear path
        "gru_linear_f3_k3",              // GRU with the linear path, three features, horizon 3
        "lstm_2layers_linear_f3_k2",     // two stacked LSTM layers with the linear path
        "rnn_tanh_2layers_f1_k4",        // two stacked Elman (tanh) layers, horizon 4
    ];

    public static TheoryData<string> Cases => new(Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardLossAndGradients_MatchPyTorch(string name)
    {
        var f = Fixture.Load(name);
        var model = f.Build<double>();
        Assert.Equal(f.Weights.Keys.Order(StringComparer.Ordinal), model.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(f.Weights.Keys.Order(StringComparer.Ordinal), f.Gradients.Keys.Order(StringComparer.Ordinal));       // grad.<name> for every weight
        model.LoadStateDict(f.Weights);
        var diffs = new List<string>();

        // ẑ in training mode, through the graph the loss is built on.
        var z = model.Forward(new Var<double>(f.X), LayerContext.None);
        Compare(f.Output, z.Value, Tol, $"{name} output ẑ", diffs);

        // The loss exactly as training computes it: one batch of all B windows from WindowRegressionTask (its seeded
        // shuffle only permutes the rows, which the mean does not see).
        var set = new WindowSet<double>(f.X.ToArray(), f.Y.ToArray(), f.LookBack, f.Features, f.Horizon);
        var task = new WindowRegressionTask<double>(model, set, null, batchSize: f.Batch, seed: 1);
        var loss = task.TrainingLoss(0, 0, LayerContext.None).Loss;
        Compare(f.Loss, Flat(loss.Value), Tol, $"{name} loss", diffs);

        loss.Backward();
        foreach (var (param, expected) in f.Gradients)
        {
            var grad = model.Parameter(param).Grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient reached '{param}'.");
            Compare(expected, grad, Tol, $"{name} ∂loss/∂{param}", diffs);
        }

        // The forecasting path: evaluation mode, no graph, windows in order.
        model.Eval();
        using (new NoGradScope())
            Compare(f.Output, Tensor<double>.FromArray(task.PredictAll(set, null), f.Batch, f.Horizon), Tol, $"{name} PredictAll ẑ", diffs);
        foreach (string line in diffs) output.WriteLine(line);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatNetwork_MatchesPyTorchToSinglePrecision(string name)
    {
        var f = Fixture.Load(name);
        var model = f.Build<float>();
        model.LoadStateDict(f.Weights.ToDictionary(p => p.Key, p => ToFloat(p.Value)));
        var diffs = new List<string>();
        var z = model.Forward(new Var<float>(ToFloat(f.X)), LayerContext.None);
        Compare(ToFloat(f.Output), z.Value, FloatTol, $"{name} float output ẑ", diffs);
        var loss = Ops.MseLoss(z, new Var<float>(ToFloat(f.Y)));
        Compare(ToFloat(f.Loss), Flat(loss.Value), FloatTol, $"{name} float loss", diffs);
        loss.Backward();
        foreach (var (param, expected) in f.Gradients)
            Compare(ToFloat(expected), model.Parameter(param).Grad!, FloatTol, $"{name} float ∂loss/∂{param}", diffs);
        foreach (string line in diffs) output.WriteLine(line);
    }

    [Fact]
    public void Fixtures_CoverANonZeroLinearPath_StackedLayers_AndSeveralFeaturesAndOutputs()
    {
        // SeqLearn starts A at zero; a fixture with A = 0 (or ∂loss/∂A = 0) would not test the term A vec(x).
        var fixtures = Names.Select(Fixture.Load).ToList();
        foreach (var f in fixtures.Where(f => f.LinearPath))
        {
            Assert.Contains(f.Weights["ar.weight"].ToArray(), w => Math.Abs(w) > 0.01);
            Assert.Contains(f.Gradients["ar.weight"].ToArray(), g => Math.Abs(g) > 1e-6);
        }
        Assert.Contains(fixtures, f => f.LinearPath);
        Assert.Contains(fixtures, f => f.Layers > 1);
        Assert.Contains(fixtures, f => f.Features > 1 && f.Horizon > 1);
    }

    // AllClose with |a − e| ≤ tol + tol·|e| (its message names the case, the tensor, the first failing index and both
    // values); on success the largest absolute and relative gaps are kept for the test output.
    private static void Compare<T>(Tensor<T> expected, Tensor<T> actual, double tol, string what, List<string> diffs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => diffs.Add(TensorAssert.AllCloseGaps(expected, actual, tol, tol, what));

    // The scalar loss as the fixture's shape (1).
    private static Tensor<T> Flat<T>(Tensor<T> t) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Tensor<T>.FromArray(t.ToArray(), t.Length);

    private static Tensor<float> ToFloat(Tensor<double> t) =>
        Tensor<float>.FromArray([.. t.ToArray().Select(v => (float)v)], t.ShapeArray());

    /// <summary>One fixture file: configuration from the metadata, weights and gradients by parameter name, the batch.</summary>
    private sealed record Fixture(RecurrentCell Cell, int LookBack, int Features, int Hidden, int Layers, int Horizon, bool LinearPath, int Batch,
        Dictionary<string, Tensor<double>> Weights, Dictionary<string, Tensor<double>> Gradients, Tensor<double> X, Tensor<double> Y,
        Tensor<double> Output, Tensor<double> Loss)
    {
        public static Fixture Load(string name)
        {
            var file = SafeTensorsFile.Read(RepoPaths.Fixture("forecasting", name + ".safetensors"));
            var m = file.Metadata;
            int Int(string key) => int.Parse(m[key], CultureInfo.InvariantCulture);
            var cell = m["cell"] switch
            {
                "lstm" => RecurrentCell.Lstm,
                "gru" => RecurrentCell.Gru,
                "rnn" => RecurrentCell.Rnn,
                var other => throw new InvalidDataException($"{name}: unknown cell '{other}'."),
            };
            var all = file.Tensors.ToDictionary(t => t.Name, t => t.ToTensor<double>(), StringComparer.Ordinal);
            var f = new Fixture(cell, Int("look_back"), Int("features"), Int("hidden"), Int("layers"), Int("horizon"), m["linear_path"] == "true", Int("batch"),
                all.Where(p => !DataKeys.Contains(p.Key) && !p.Key.StartsWith("grad.", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal),
                all.Where(p => p.Key.StartsWith("grad.", StringComparison.Ordinal)).ToDictionary(p => p.Key["grad.".Length..], p => p.Value, StringComparer.Ordinal),
                all["x"], all["y"], all["output"], all["loss"]);
            Assert.Equal([f.Batch, f.LookBack, f.Features], f.X.ShapeArray());
            Assert.Equal([f.Batch, f.Horizon], f.Y.ShapeArray());
            Assert.Equal([f.Batch, f.Horizon], f.Output.ShapeArray());
            return f;
        }

        // The initial draw is overwritten by the fixture's weights.
        public RecurrentForecastNetwork<T> Build<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            new(Cell, LookBack, Features, Hidden, Layers, Horizon, LinearPath, new SeededRng(1));
    }
}
