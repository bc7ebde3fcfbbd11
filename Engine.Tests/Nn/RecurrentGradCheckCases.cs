using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Autograd;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// Gradient checks (float64 central differences, registry defaults) for each cell and each layer: both paths,
/// with and without lengths, bidirectional, and stacked with dropout (mask from a fixed seed). Every input —
/// x, initial state and all weights — is checked.
/// </summary>
public sealed class RecurrentGradCheckCases : IGradCheckCaseSource
{
    public IEnumerable<GradCheckCase> Cases()
    {
        var rng = new SeededRng(31337);
        foreach (var kind in Enum.GetValues<LayerKind>())
            yield return CellCase(kind, rng);

        foreach (var kind in Enum.GetValues<LayerKind>())
        foreach (var path in Enum.GetValues<RecurrentPath>())
        {
            LayerConfig[] configs =
            [
                new(kind, B: 2, T: 3, E: 2, H: 3),
                new(kind, B: 3, T: 3, E: 2, H: 2, WithLengths: true),
                new(kind, B: 2, T: 3, E: 2, H: 2, Bidirectional: true, WithLengths: true),
                new(kind, B: 2, T: 2, E: 2, H: 2, L: 2, Bidirectional: kind == LayerKind.Lstm, Dropout: 0.4),
            ];
            foreach (var config in configs)
            {
                var c = config;
                yield return new($"{path} layer {c}", v => c.Loss(v, path), c.RandomInputs<double>(rng));
            }
        }
    }

    private static GradCheckCase CellCase(LayerKind kind, SeededRng rng)
    {
        const int B = 2, E = 3, H = 3;
        int g = kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        var inputs = new List<Tensor<double>> { Tensor<double>.Normal([B, E], 0, 1, rng), Tensor<double>.Normal([B, H], 0, 1, rng) };
        if (kind == LayerKind.Lstm) inputs.Add(Tensor<double>.Normal([B, H], 0, 1, rng));
        inputs.AddRange([Tensor<double>.Uniform([g * H, E], -1, 1, rng), Tensor<double>.Uniform([g * H, H], -1, 1, rng),
                         Tensor<double>.Uniform([g * H], -1, 1, rng), Tensor<double>.Uniform([g * H], -1, 1, rng)]);
        return new($"{kind}Cell.Step B{B} E{E} H{H}", v =>
        {
            int p = kind == LayerKind.Lstm ? 3 : 2;
            var w = new RecurrentWeights<double>(v[p], v[p + 1], v[p + 2], v[p + 3]);
            return kind switch
            {
                // Both outputs enter the loss so the check covers ∂h'/∂· and ∂c'/∂·.
                LayerKind.Lstm => Sum2(new LstmCell<double>(w).Step(v[0], new RecurrentState<double>(v[1], v[2]))),
                LayerKind.Gru => Ops.Sum(new GruCell<double>(w).Step(v[0], v[1])),
                LayerKind.RnnRelu => Ops.Sum(new RnnCell<double>(w, ActivationFunction.Relu).Step(v[0], v[1])),
                _ => Ops.Sum(new RnnCell<double>(w, ActivationFunction.Tanh).Step(v[0], v[1])),
            };
        }, inputs.ToArray());
    }

    private static Var<double> Sum2(RecurrentState<double> s) => Ops.Sum(s.H) + Ops.Sum(s.C! * 0.5);
}
