using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Autograd;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// A minimal gated unit, a cell that is not built in, written from the members a subclass outside the library sees
/// (the protected constructors, <c>Affine</c>, <c>CheckInput</c>); G = 2, gates f and n:
/// <code>
/// f = σ(x W_ifᵀ + b_if + h W_hfᵀ + b_hf)
/// n = tanh(x W_inᵀ + b_in + (f ⊙ h) W_hnᵀ + b_hn)
/// h' = (1 − f) ⊙ h + f ⊙ n
/// </code>
/// consumer/CustomCellProgram.cs defines a cell of its own against the package.
/// </summary>
public sealed class MinimalGatedCell<T> : RecurrentCellBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public MinimalGatedCell(int inputSize, int hiddenSize, SeededRng rng) : base(2, inputSize, hiddenSize, rng) { }

    public MinimalGatedCell(RecurrentWeights<T> weights) : base(weights) { }

    public override RecurrentState<T> Step(Var<T> x, RecurrentState<T> state)
    {
        CheckInput(x, state.H, "MinimalGatedCell.Step");
        var (w, H, h) = (Weights, HiddenSize, state.H);
        Var<T> gi = Affine(x, w.WeightIh, w.BiasIh); // (B, 2H): f, n
        Var<T> f = Ops.Sigmoid(Ops.Slice(gi, 1, 0, H) + Affine(h, Ops.Slice(w.WeightHh, 0, 0, H), Ops.Slice(w.BiasHh, 0, 0, H)));
        Var<T> n = Ops.Tanh(Ops.Slice(gi, 1, H, H) + Affine(f * h, Ops.Slice(w.WeightHh, 0, H, H), Ops.Slice(w.BiasHh, 0, H, H)));
        return new RecurrentState<T>((T.One - f) * h + f * n);
    }
}

/// <summary>
/// Gradient checks of a <see cref="RecurrentCellLayer{T}"/> over the custom cell: inputs x (B, T, E), h0 (B, H) and the
/// four weights, with and without lengths, forward and reverse.
/// </summary>
public sealed class RecurrentCellLayerCases : IGradCheckCaseSource
{
    public IEnumerable<GradCheckCase> Cases()
    {
        var rng = new SeededRng(2102);
        foreach (var (b, t, e, h, lengths, reverse) in new[] { (2, 3, 2, 3, false, false), (3, 3, 3, 2, true, false), (3, 4, 1, 2, true, true) })
        {
            int[]? lens = lengths ? Enumerable.Range(0, b).Select(r => t - r % t).ToArray() : null;
            Tensor<double>[] inputs =
            [
                Tensor<double>.Normal([b, t, e], 0, 1, rng), Tensor<double>.Normal([b, h], 0, 1, rng),
                Tensor<double>.Uniform([2 * h, e], -1, 1, rng), Tensor<double>.Uniform([2 * h, h], -1, 1, rng),
                Tensor<double>.Uniform([2 * h], -1, 1, rng), Tensor<double>.Uniform([2 * h], -1, 1, rng),
            ];
            var weights = new Tensor<double>[] { Tensor<double>.Normal([b, t, h], 0, 1, rng), Tensor<double>.Normal([b, h], 0, 1, rng) };
            yield return new($"RecurrentCellLayer(MinimalGatedCell) B{b} T{t} E{e} H{h}{(lengths ? " lengths" : "")}{(reverse ? " reverse" : "")}", v =>
            {
                var layer = new RecurrentCellLayer<double>(new MinimalGatedCell<double>(new RecurrentWeights<double>(v[2], v[3], v[4], v[5])), reverse);
                var (y, final) = layer.Forward(v[0], new RecurrentState<double>(v[1]), lens);
                return Ops.Sum(y * new Var<double>(weights[0])) + Ops.Sum(final.H * new Var<double>(weights[1]));
            }, inputs);
        }
    }
}

public class RecurrentCellLayerTests
{
    [Fact]
    public void OverTheLstmCells_EqualsTheComposedBidirectionalLstm_WithLengths()
    {
        const int B = 3, T = 4, E = 2, H = 3;
        var rng = new SeededRng(5);
        var lstm = new Lstm<double>(E, H, rng, new RecurrentOptions(Bidirectional: true, Path: RecurrentPath.Composed));
        var x = new Var<double>(Tensor<double>.Normal([B, T, E], 0, 1, rng));
        int[] lengths = [4, 2, 3];
        var (expected, expectedFinal) = lstm.Forward(x, lengths: lengths);

        var forward = new RecurrentCellLayer<double>(new LstmCell<double>(lstm.WeightsOf(0, 0)));
        var backward = new RecurrentCellLayer<double>(new LstmCell<double>(lstm.WeightsOf(0, 1)), reverse: true);
        var (yf, sf) = forward.Forward(x, lengths: lengths);
        var (yb, sb) = backward.Forward(x, lengths: lengths);

        Assert.Equal(expected.Value.ToArray(), Ops.Concat([yf, yb], 2).Value.ToArray());
        Assert.Equal(expectedFinal.H.Value.ToArray(), Ops.Concat([sf.H, sb.H], 0).Value.ToArray());
        Assert.Equal(expectedFinal.C!.Value.ToArray(), Ops.Concat([sf.C!, sb.C!], 0).Value.ToArray());
    }

    [Fact]
    public void InSequential_NamesTheCellsParameters_AndAPaddedRowGetsWhatItGetsAlone()
    {
        var rng = new SeededRng(6);
        var model = new Sequential<double>(
            new Embedding<double>(5, 3, rng),
            new RecurrentCellLayer<double>(new MinimalGatedCell<double>(3, 4, rng)),
            new LastStep<double>(),
            new Linear<double>(4, 2, rng));
        Assert.Equal(["0.weight", "1.cell.weight_ih", "1.cell.weight_hh", "1.cell.bias_ih", "1.cell.bias_hh", "3.weight", "3.bias"],
            model.NamedParameters().Select(p => p.Key));
        Assert.Equal([8, 3], model.Parameter("1.cell.weight_ih").Value.ShapeArray());

        int[] padded = [1, 2, 3, 4, 2, 0, 0, 0];
        var both = model.Forward(padded, 2, 4, new LayerContext(Lengths: [4, 1])).Value.ToArray();
        var alone = model.Forward([2], 1, 1).Value.ToArray();
        Assert.Equal(alone, both[2..]);
    }

    [Fact]
    public void Forward_RejectsAStateThatDoesNotFitTheCell()
    {
        var rng = new SeededRng(7);
        var x = new Var<double>(Tensor<double>.Zeros(2, 3, 2));
        var lstm = new RecurrentCellLayer<double>(new LstmCell<double>(2, 4, rng));
        Assert.True(lstm.InitialState(2).C is not null);
        Assert.Contains("needs a cell state c", Assert.Throws<ArgumentException>(() =>
            lstm.Forward(x, new RecurrentState<double>(new Var<double>(Tensor<double>.Zeros(2, 4))))).Message);
        var mgu = new RecurrentCellLayer<double>(new MinimalGatedCell<double>(2, 4, rng));
        Assert.Contains("initial h must be (2, 4)", Assert.Throws<ArgumentException>(() =>
            mgu.Forward(x, new RecurrentState<double>(new Var<double>(Tensor<double>.Zeros(2, 3))))).Message);
        Assert.Contains("expected input (B, T, 2)", Assert.Throws<ArgumentException>(() =>
            mgu.Forward(new Var<double>(Tensor<double>.Zeros(2, 3, 5)))).Message);
    }

    [Fact]
    public void Forward_EmptyBatchOrNoSteps_NamesOpAndInput()
    {
        var layer = new RecurrentCellLayer<double>(new GruCell<double>(2, 4, new SeededRng(8)));
        var noState = new RecurrentState<double>(new Var<double>(Tensor<double>.Zeros(0, 4)));
        foreach (var (shape, state) in new[] { (new[] { 2, 0, 2 }, (RecurrentState<double>?)null), ([0, 3, 2], null), ([0, 3, 2], noState) })
        {
            var ex = Assert.Throws<ArgumentException>(() => layer.Forward(new Var<double>(Tensor<double>.Zeros(shape)), state));
            Assert.Contains($"RecurrentCellLayer.Forward: expected at least one sequence of at least one step, got input {ShapeUtil.Format(shape)}.", ex.Message);
        }
    }

    [Fact]
    public void RecurrentState_NullH_IsRejected()
    {
        var c = new Var<double>(Tensor<double>.Zeros(2, 4));
        Assert.Equal("H", Assert.Throws<ArgumentNullException>(() => new RecurrentState<double>(null!, c)).ParamName);
        Assert.Equal("H", Assert.Throws<ArgumentNullException>(() => new RecurrentState<double>(c) with { H = null! }).ParamName);
    }

    [Fact]
    public void LstmCell_CellStateShapedUnlikeH_NamesTheCellAndBothShapes()
    {
        var cell = new LstmCell<double>(3, 4, new SeededRng(3));
        var x = new Var<double>(Tensor<double>.Zeros(2, 3));
        var state = new RecurrentState<double>(new Var<double>(Tensor<double>.Zeros(2, 4)), new Var<double>(Tensor<double>.Zeros(3, 4)));
        var e = Assert.Throws<ArgumentException>(() => cell.Step(x, state));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("LstmCell.Step: expected c shaped like h (2, 4), got (3, 4)", e.Message);
    }
}
