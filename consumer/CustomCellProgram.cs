using System.Numerics;
using SeqLearn.Autograd;
using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace Consumer;

/// <summary>
/// Extends the library from outside it, with its public API only: a custom differentiable op (softsign) and a new
/// recurrent cell (a peephole LSTM whose output squashes c' with that op). Both are checked against float64 central
/// differences, then the cell is trained with <c>Fit</c> on the classifier's task.
/// </summary>
public static class CustomCellProgram
{
    public static int Run()
    {
        var failures = new List<string>();
        int checks = 0, comparisons = 0;
        void Check(string what, Func<GradientCheckResult> check)
        {
            checks++;
            try { comparisons += check().Comparisons; }
            catch (GradientCheckException e) { failures.Add($"{what}: {e.Message}"); }
        }

        // The op alone and inside a graph, over seeded random shapes with odd sizes.
        var rng = new SeededRng(seed: 3);
        foreach (int[] shape in (int[][])[[1], [7], [3, 5], [2, 3, 4]])
            Check($"softsign {string.Join("x", shape)}", () => GradientCheck.Check(v => Softsign.Apply(v[0]) * Ops.Tanh(v[0]), Tensor<double>.Normal(shape, 0, 2, rng)));

        // The cell over a padded batch: gradients of every parameter (the peepholes too), then of the input sequence.
        const int B = 3, T = 4, E = 2, H = 3;
        var layer = new RecurrentCellLayer<double>(new PeepholeLstmCell<double>(E, H, rng));
        var x = Tensor<double>.Normal([B, T, E], 0, 1, rng);
        int[] lengths = [4, 2, 3];
        var weights = Tensor<double>.Normal([B, T, H], 0, 1, rng);
        Var<double> Loss(Var<double> input)
        {
            var (y, final) = layer.Forward(input, lengths: lengths);
            return Ops.Sum(y * new Var<double>(weights)) + Ops.Sum(final.C!);
        }
        Check("peephole cell parameters", () => GradientCheck.CheckParameters(() => Loss(new Var<double>(x)), [.. layer.Parameters()]));
        Check("peephole cell input", () => GradientCheck.Check(v => Loss(v[0]), x));

        // Training: the classifier's task (does a token sequence contain a 7?).
        var data = new SeededRng(seed: 1);
        var (train, test) = (ClassifierProgram.Data(data, 1000), ClassifierProgram.Data(data, 300));
        var model = new Sequential<float>(
            new Embedding<float>(10, 8, data),
            new RecurrentCellLayer<float>(new PeepholeLstmCell<float>(8, 16, data)),
            new LastStep<float>(),
            new Linear<float>(16, 2, data));
        model.Fit(train.X, train.Y, null, null, new TrainingOptions { Epochs = 5, BatchSize = 32, LearningRate = 0.02 });
        double accuracy = model.Evaluate(test.X, test.Y)["accuracy"];

        Console.WriteLine($"custom-cell: {checks - failures.Count} of {checks} gradient checks passed ({comparisons} comparisons); held-out accuracy {accuracy:P1} (needs ≥ 90 %)");
        foreach (var f in failures) Console.WriteLine(f);
        return failures.Count == 0 && comparisons > 0 && accuracy >= 0.90 ? 0 : 1;
    }
}

/// <summary>
/// softsign(x) = x / (1 + |x|), elementwise; ∂L/∂x = ∂L/∂y / (1 + |x|)². A custom op: a node that overrides
/// <c>Backward</c>, attached with <see cref="Var{T}.FromOp"/> when <see cref="Node{T}.Tracks(Var{T})"/>.
/// </summary>
public static class Softsign
{
    public static Var<T> Apply<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = Tensor<T>.ZerosLike(x.Value);
        Span<T> xs = x.Value.Span, ys = y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] / (T.One + T.Abs(xs[i]));
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new SoftsignNode<T>(x) : null);
    }

    private sealed class SoftsignNode<T>(Var<T> x) : Node<T>(x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        protected override void Backward(Tensor<T> gradOutput)
        {
            Span<T> gx = GradOf(x).Span;
            ReadOnlySpan<T> xs = x.Value.Span, gy = gradOutput.Span;
            for (int i = 0; i < gx.Length; i++)
            {
                T d = T.One + T.Abs(xs[i]);
                gx[i] += gy[i] / (d * d);
            }
        }
    }
}

/// <summary>
/// An LSTM with peephole connections (p_i, p_f, p_o, each (H)) and a softsign output squash, gates i, f, g, o packed as
/// in the built-in cell (W_ih (4H, in), W_hh (4H, H)):
/// <code>
/// i = σ(a_i + p_i ⊙ c)    f = σ(a_f + p_f ⊙ c)    g = tanh(a_g)    (a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
/// c' = f ⊙ c + i ⊙ g      o = σ(a_o + p_o ⊙ c')   h' = o ⊙ softsign(c')
/// </code>
/// </summary>
public sealed class PeepholeLstmCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Var<T> _pi, _pf, _po;

    public PeepholeLstmCell(int inputSize, int hiddenSize, SeededRng rng) : base(4, inputSize, hiddenSize, rng)
    {
        T k = T.One / T.Sqrt(T.CreateTruncating(hiddenSize));
        _pi = AddParameter("peephole_i", Tensor<T>.Uniform([hiddenSize], -k, k, rng));
        _pf = AddParameter("peephole_f", Tensor<T>.Uniform([hiddenSize], -k, k, rng));
        _po = AddParameter("peephole_o", Tensor<T>.Uniform([hiddenSize], -k, k, rng));
    }

    public override bool HasCellState => true;

    public override RecurrentState<T> Step(Var<T> x, RecurrentState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckInput(x, state.H, "PeepholeLstmCell.Step");
        var c = state.C ?? throw new ArgumentException("PeepholeLstmCell.Step: the state needs c.", nameof(state));
        var (w, H) = (Weights, HiddenSize);
        Var<T> a = Affine(x, w.WeightIh, w.BiasIh) + Affine(state.H, w.WeightHh, w.BiasHh); // (B, 4H): i, f, g, o
        Var<T> i = Ops.Sigmoid(Ops.Slice(a, 1, 0, H) + c * _pi);
        Var<T> f = Ops.Sigmoid(Ops.Slice(a, 1, H, H) + c * _pf);
        Var<T> g = Ops.Tanh(Ops.Slice(a, 1, 2 * H, H));
        Var<T> cNew = f * c + i * g;
        Var<T> o = Ops.Sigmoid(Ops.Slice(a, 1, 3 * H, H) + cNew * _po);
        return new RecurrentState<T>(o * Softsign.Apply(cNew), cNew);
    }
}
