using System.Globalization;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// Parity with PyTorch 1.13 (float64): scripts/pytorch_rnn_fixtures.py writes, per case, one safetensors file
/// Engine.Tests/Fixtures/rnn/&lt;case&gt;.safetensors with nn.RNN/LSTM/GRU weights under their state_dict names, the input
/// x, the initial state(s), the outputs, the final states, the loss weights w_*, the loss
/// L = Σ out·w_out + Σ h_n·w_h [+ Σ c_n·w_c] and every gradient (<c>grad.&lt;name&gt;</c>, also <c>grad.x</c>,
/// <c>grad.h0</c>, <c>grad.c0</c>), with pack_padded_sequence for the cases with <c>lengths</c>.
/// </summary>
/// <remarks>
/// Both paths (<see cref="RecurrentPath"/>) must reproduce every tensor to |a − e| ≤ tol + tol·|e| with tol = 1e-9: both
/// sides evaluate the same formulas in float64 and differ only by summation order and the σ/tanh evaluation, so the
/// observed gaps are far smaller; a wrong step, gate, mask or gradient is off by far more.
/// </remarks>
public sealed class PyTorchParityTests(ITestOutputHelper output)
{
    private const double Tol = 1e-9;

    private static readonly string[] Names =
        ["rnn_tanh", "rnn_relu_bidir_lengths", "lstm", "lstm_stacked_bidir_lengths", "gru_stacked", "gru_bidir_lengths"];

    // Every entry that is not a parameter or a parameter's gradient.
    private static readonly string[] DataKeys =
        ["x", "h0", "c0", "output", "h_n", "c_n", "w_out", "w_h", "w_c", "loss", "lengths", "grad.x", "grad.h0", "grad.c0"];

    public static IEnumerable<object[]> Cases() =>
        from name in Names
        from path in Enum.GetValues<RecurrentPath>()
        select new object[] { name, path };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_MatchesPyTorch(string name, RecurrentPath path)
    {
        var file = SafeTensorsFile.Read(RepoPaths.Fixture("rnn", name + ".safetensors"));
        var m = file.Metadata;
        int Int(string key) => int.Parse(m[key], CultureInfo.InvariantCulture);
        Tensor<double> Read(string entry) =>
            (file.Find(entry) ?? throw new Xunit.Sdk.XunitException($"{name}: the fixture has no '{entry}'.")).ToTensor<double>();

        string kind = m["kind"];
        int e = Int("input_size"), h = Int("hidden_size");
        var options = new RecurrentOptions(Int("num_layers"), bool.Parse(m["bidirectional"]), 0, path);
        var rng = new SeededRng(1);
        RecurrentLayer<double> layer = kind switch
        {
            "lstm" => new Lstm<double>(e, h, rng, options),
            "gru" => new Gru<double>(e, h, rng, options),
            "rnn" => new Rnn<double>(e, h, rng, options, m["nonlinearity"] switch
            {
                "relu" => ActivationFunction.Relu,
                "tanh" => ActivationFunction.Tanh,
                var other => throw new InvalidDataException($"{name}: nonlinearity '{other}'."),
            }),
            _ => throw new InvalidDataException($"{name}: kind '{kind}'."),
        };
        var names = file.Tensors.Select(t => t.Name).ToList();
        var parameters = names.Where(n => !DataKeys.Contains(n) && !n.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.Equal(parameters.Order(StringComparer.Ordinal), layer.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(parameters.Select(p => "grad." + p).Order(StringComparer.Ordinal),
            names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal) && !DataKeys.Contains(n)).Order(StringComparer.Ordinal));
        layer.LoadStateDict(parameters.ToDictionary(p => p, Read));
        int[]? lengths = file.Find("lengths") is { } l ? [.. l.ToInt64().Select(v => checked((int)v))] : null;
        bool lstm = kind == "lstm";
        Assert.Equal(lstm, file.Find("c0") is not null);

        var diffs = new List<string>();
        var x = new Var<double>(Read("x"), requiresGrad: true);
        var h0 = new Var<double>(Read("h0"), requiresGrad: true);
        var c0 = lstm ? new Var<double>(Read("c0"), requiresGrad: true) : null;
        var (y, final) = layer.Forward(x, new RecurrentState<double>(h0, c0), lengths);
        var (hn, cn) = (final.H, final.C);
        Assert.Equal(lstm, cn is not null);
        Compare(Read("output"), y.Value, $"{name} output", diffs);
        Compare(Read("h_n"), hn.Value, $"{name} h_n", diffs);
        if (cn is not null) Compare(Read("c_n"), cn.Value, $"{name} c_n", diffs);

        var loss = Ops.Sum(y * new Var<double>(Read("w_out"))) + Ops.Sum(hn * new Var<double>(Read("w_h")));
        if (cn is not null) loss += Ops.Sum(cn * new Var<double>(Read("w_c")));
        Compare(Read("loss"), Tensor<double>.FromArray(loss.Value.ToArray(), 1), $"{name} loss", diffs);
        loss.Backward();

        Compare(Read("grad.x"), x.Grad!, $"{name} ∂L/∂x", diffs);
        Compare(Read("grad.h0"), h0.Grad!, $"{name} ∂L/∂h0", diffs);
        if (c0 is not null) Compare(Read("grad.c0"), c0.Grad!, $"{name} ∂L/∂c0", diffs);
        foreach (string p in parameters)
            Compare(Read("grad." + p), layer.Parameter(p).Grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient reached '{p}'."),
                $"{name} ∂L/∂{p}", diffs);
        foreach (string line in diffs) output.WriteLine(line);
    }

    [Fact]
    public void Fixtures_CoverEachCellLengthsBidirectionalAndStackedLayers()
    {
        var files = Names.Select(n => SafeTensorsFile.Read(RepoPaths.Fixture("rnn", n + ".safetensors"))).ToList();
        Assert.Equal(["gru", "lstm", "rnn"], files.Select(f => f.Metadata["kind"]).Distinct().Order());
        Assert.Equal(["relu", "tanh"], files.Where(f => f.Metadata["kind"] == "rnn").Select(f => f.Metadata["nonlinearity"]).Order());
        Assert.Contains(files, f => f.Metadata["bidirectional"] == "true" && f.Metadata["num_layers"] == "2" && f.Find("lengths") is not null);
        Assert.Contains(files, f => f.Metadata["bidirectional"] == "false" && f.Metadata["num_layers"] == "2");
        Assert.Equal(3, files.Count(f => f.Find("lengths") is not null));
    }

    // AllClose with |a − e| ≤ Tol + Tol·|e| (its message names the case, the tensor, the first failing index and both
    // values); on success the largest absolute and relative gaps are kept for the test output.
    private static void Compare(Tensor<double> expected, Tensor<double> actual, string what, List<string> diffs) =>
        diffs.Add(TensorAssert.AllCloseGaps(expected, actual, Tol, Tol, what));
}
