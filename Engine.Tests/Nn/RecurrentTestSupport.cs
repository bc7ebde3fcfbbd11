using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Nn;

/// <summary>The layer types under test (RNN in both nonlinearities).</summary>
public enum LayerKind { RnnTanh, RnnRelu, Lstm, Gru }

/// <summary>
/// One recurrent-layer test configuration. Its inputs are, in order: x (B, T, E), h0 (L·D, B, H), c0 for LSTM,
/// then per layer and direction W_ih, W_hh, b_ih, b_hh — so gradient checks and fused-vs-composed comparisons
/// see every parameter as an input.
/// </summary>
public sealed record LayerConfig(LayerKind Kind, int B, int T, int E, int H, int L = 1, bool Bidirectional = false, bool WithLengths = false, double Dropout = 0)
{
    /// <summary>Fused path: the vector path of its GEMMs and gate kernels (null: the machine's default).</summary>
    internal KernelPath? Kernels { get; init; }

    public int D => Bidirectional ? 2 : 1;
    public int G => Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
    public bool HasCell => Kind == LayerKind.Lstm;

    /// <summary>Per-row lengths: row b has T − (b mod T) valid steps (row 0 is full, the rest are shorter).</summary>
    public int[]? Lengths => WithLengths ? Enumerable.Range(0, B).Select(b => T - b % T).ToArray() : null;

    public override string ToString() =>
        $"{Kind} B{B} T{T} E{E} H{H} L{L}{(Bidirectional ? " bidir" : "")}{(WithLengths ? " lengths" : "")}{(Dropout > 0 ? $" dropout{Dropout}" : "")}{(Kernels is { } k ? $" kernels {k}" : "")}";

    /// <summary>Shapes of all inputs, in input order.</summary>
    public List<int[]> InputShapes()
    {
        var shapes = new List<int[]> { new[] { B, T, E }, new[] { L * D, B, H } };
        if (HasCell) shapes.Add([L * D, B, H]);
        for (int l = 0; l < L; l++)
            for (int d = 0; d < D; d++)
                shapes.AddRange([[G * H, l == 0 ? E : D * H], [G * H, H], [G * H], [G * H]]);
        return shapes;
    }

    /// <summary>Random inputs: values N(0, 1) for x and states, U(−1/√H, 1/√H)·2 for weights.</summary>
    public Tensor<T>[] RandomInputs<T>(SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int first = HasCell ? 3 : 2;
        return InputShapes().Select((s, i) => i < first
            ? Tensor<T>.Normal(s, T.Zero, T.One, rng)
            : Tensor<T>.Uniform(s, T.CreateTruncating(-1.0), T.CreateTruncating(1.0), rng)).ToArray();
    }

    /// <summary>Builds the layer over the given parameter leaves.</summary>
    public RecurrentLayer<T> Build<T>(Var<T>[] v, RecurrentPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int p = HasCell ? 3 : 2;
        var w = new RecurrentWeights<T>[L][];
        for (int l = 0; l < L; l++)
        {
            w[l] = new RecurrentWeights<T>[D];
            for (int d = 0; d < D; d++, p += 4) w[l][d] = new RecurrentWeights<T>(v[p], v[p + 1], v[p + 2], v[p + 3]);
        }
        var options = new RecurrentOptions(L, Bidirectional, Dropout, path) { Kernels = Kernels };
        return Kind switch
        {
            LayerKind.Lstm => new Lstm<T>(w, options),
            LayerKind.Gru => new Gru<T>(w, options),
            LayerKind.RnnRelu => new Rnn<T>(w, options, ActivationFunction.Relu),
            _ => new Rnn<T>(w, options, ActivationFunction.Tanh),
        };
    }

    /// <summary>Runs the layer: output (B, T, D·H), final h and (LSTM) final c. Dropout masks come from a fixed seed.</summary>
    public (Var<T> Y, Var<T> H, Var<T>? C) Run<T>(Var<T>[] v, RecurrentPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var layer = Build(v, path);
        var dropoutRng = Dropout > 0 ? new SeededRng(99) : null;
        var (y, s) = layer.Forward(v[0], new RecurrentState<T>(v[1], HasCell ? v[2] : null), Lengths, dropoutRng);
        return (y, s.H, s.C);
    }

    /// <summary>A scalar that depends on every output: Σ Y ⊙ Wy + Σ h_T ⊙ Wh (+ Σ c_T ⊙ Wc), W* fixed random.</summary>
    public Var<T> Loss<T>(Var<T>[] v, RecurrentPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (y, h, c) = Run(v, path);
        var rng = new SeededRng(4242);
        Var<T> Weighted(Var<T> a) => Ops.Sum(a * new Var<T>(Tensor<T>.Normal(a.Value.ShapeArray(), T.Zero, T.One, rng)));
        var loss = Weighted(y) + Weighted(h);
        return c is null ? loss : loss + Weighted(c);
    }
}
