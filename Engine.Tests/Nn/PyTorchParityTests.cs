using System.Text.Json;
using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// Parity with PyTorch 1.13 (float64): fixtures written by scripts/pytorch_rnn_fixtures.py hold nn.RNN/LSTM/GRU
/// weights, inputs, outputs, final states and every gradient (with pack_padded_sequence for the cases with
/// lengths). Both paths must reproduce them to 1e-5.
/// </summary>
public class PyTorchParityTests
{
    public static IEnumerable<object[]> Cases() =>
        from name in new[] { "rnn_tanh", "rnn_relu_bidir_lengths", "lstm", "lstm_stacked_bidir_lengths", "gru_stacked", "gru_bidir_lengths" }
        from path in Enum.GetValues<RecurrentPath>()
        select new object[] { name, path };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_MatchesPyTorch(string name, RecurrentPath path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "rnn", name + ".json")));
        var f = doc.RootElement;
        string kind = f.GetProperty("kind").GetString()!;
        int e = f.GetProperty("input_size").GetInt32(), h = f.GetProperty("hidden_size").GetInt32();
        var options = new RecurrentOptions(f.GetProperty("num_layers").GetInt32(), f.GetProperty("bidirectional").GetBoolean(), 0, path);
        var rng = new SeededRng(1);
        RecurrentLayer<double> layer = kind switch
        {
            "lstm" => new Lstm<double>(e, h, rng, options),
            "gru" => new Gru<double>(e, h, rng, options),
            _ => new Rnn<double>(e, h, rng, options, f.GetProperty("nonlinearity").GetString() == "relu" ? ActivationFunction.Relu : ActivationFunction.Tanh),
        };
        layer.LoadStateDict(f.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value)));
        int[]? lengths = f.GetProperty("lengths").ValueKind == JsonValueKind.Null ? null
            : f.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt32()).ToArray();

        var x = new Var<double>(Read(f.GetProperty("x")), requiresGrad: true);
        var h0 = new Var<double>(Read(f.GetProperty("h0")), requiresGrad: true);
        var c0 = kind == "lstm" ? new Var<double>(Read(f.GetProperty("c0")), requiresGrad: true) : null;
        var (y, final) = layer.Forward(x, new RecurrentState<double>(h0, c0), lengths);
        var (hn, cn) = (final.H, final.C);
        const double Tol = 1e-5;
        TensorAssert.AllClose(Read(f.GetProperty("output")), y.Value, Tol, Tol, $"{name} output");
        TensorAssert.AllClose(Read(f.GetProperty("h_n")), hn.Value, Tol, Tol, $"{name} h_n");
        if (cn is not null) TensorAssert.AllClose(Read(f.GetProperty("c_n")), cn.Value, Tol, Tol, $"{name} c_n");

        var loss = Ops.Sum(y * new Var<double>(Read(f.GetProperty("w_out")))) + Ops.Sum(hn * new Var<double>(Read(f.GetProperty("w_h"))));
        if (cn is not null) loss += Ops.Sum(cn * new Var<double>(Read(f.GetProperty("w_c"))));
        Assert.Equal(f.GetProperty("loss").GetDouble(), loss.Value.Span[0], 1e-6);
        loss.Backward();

        TensorAssert.AllClose(Read(f.GetProperty("x_grad")), x.Grad!, Tol, Tol, $"{name} ∂L/∂x");
        TensorAssert.AllClose(Read(f.GetProperty("h0_grad")), h0.Grad!, Tol, Tol, $"{name} ∂L/∂h0");
        if (c0 is not null) TensorAssert.AllClose(Read(f.GetProperty("c0_grad")), c0.Grad!, Tol, Tol, $"{name} ∂L/∂c0");
        foreach (var p in f.GetProperty("param_grads").EnumerateObject())
            TensorAssert.AllClose(Read(p.Value), layer.Parameter(p.Name).Grad!, Tol, Tol, $"{name} ∂L/∂{p.Name}");
    }

    private static Tensor<double> Read(JsonElement t) =>
        Tensor<double>.FromArray(t.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            t.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());
}
