using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

public class ModuleTests
{
    private sealed class TwoLinear : Module<double>
    {
        public TwoLinear(SeededRng rng)
        {
            First = AddModule("first", new Linear<double>(3, 4, rng));
            Second = AddModule("second", new Linear<double>(4, 2, rng, bias: false));
        }
        public Linear<double> First { get; }
        public Linear<double> Second { get; }
    }

    [Fact]
    public void NamedParameters_UseDottedPyTorchNames_InRegistrationOrder()
    {
        var m = new TwoLinear(new SeededRng(1));
        Assert.Equal(["first.weight", "first.bias", "second.weight"], m.NamedParameters().Select(p => p.Key));
        Assert.Same(m.First.Weight, m.Parameter("first.weight"));
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void Parameter_UnknownName_ListsKnownNames()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => new TwoLinear(new SeededRng(1)).Parameter("third.weight"));
        Assert.Contains("first.bias", ex.Message);
    }

    [Fact]
    public void ZeroGrad_ClearsAccumulatedGradients()
    {
        var m = new TwoLinear(new SeededRng(2));
        var x = new Var<double>(Tensor<double>.Ones(2, 3));
        Ops.Sum(m.Second.Forward(m.First.Forward(x))).Backward();
        Assert.Contains(m.First.Weight.Grad!.ToArray(), v => v != 0);
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0.0, v)));
    }

    [Fact]
    public void TrainEval_PropagatesToChildren()
    {
        var m = new TwoLinear(new SeededRng(3));
        m.Eval();
        Assert.False(m.First.Training);
        m.Train();
        Assert.True(m.Second.Training);
    }

    [Fact]
    public void LoadStateDict_RoundTripsAndRejectsMissingKeysAndBadShapes()
    {
        var a = new TwoLinear(new SeededRng(4));
        var b = new TwoLinear(new SeededRng(5));
        b.LoadStateDict(a.StateDict().ToDictionary(p => p.Key, p => p.Value.Clone()));
        TensorAssert.BitEqual(a.First.Weight.Value.Span, b.First.Weight.Value.Span);

        var missing = a.StateDict().Where(p => p.Key != "first.bias").ToDictionary(p => p.Key, p => p.Value);
        Assert.Contains("first.bias", Assert.Throws<ArgumentException>(() => b.LoadStateDict(missing)).Message);
        var badShape = a.StateDict().ToDictionary(p => p.Key, p => p.Key == "second.weight" ? Tensor<double>.Zeros(4, 2) : p.Value);
        Assert.Contains("second.weight", Assert.Throws<ArgumentException>(() => b.LoadStateDict(badShape)).Message);
    }

    [Fact]
    public void LoadStateDict_BadShapeAfterAGoodOne_ChangesNothing()
    {
        // weight (3, 2) is right and comes first; bias (4) is wrong.
        var lin = new Linear<double>(2, 3, new SeededRng(7));
        double[] weight = lin.Weight.Value.ToArray(), bias = lin.Bias!.Value.ToArray();
        var state = new Dictionary<string, Tensor<double>> { ["weight"] = Tensor<double>.Full(9, 3, 2), ["bias"] = Tensor<double>.Zeros(4) };
        var ex = Assert.Throws<ArgumentException>(() => lin.LoadStateDict(state));
        Assert.Contains("'bias'", ex.Message);
        TensorAssert.BitEqual<double>(weight, lin.Weight.Value.Span);
        TensorAssert.BitEqual<double>(bias, lin.Bias.Value.Span);
        state["bias"] = null!;
        Assert.Contains("'bias' is null", Assert.Throws<ArgumentException>(() => lin.LoadStateDict(state)).Message);
        TensorAssert.BitEqual<double>(weight, lin.Weight.Value.Span);
    }

    [Fact]
    public void Linear_ComputesXWTransposePlusB()
    {
        var lin = new Linear<double>(2, 3, new SeededRng(6));
        lin.Weight.Value.Span.Clear();
        double[] w = [1, 2, 3, 4, 5, 6]; // (3, 2)
        w.CopyTo(lin.Weight.Value.Span);
        double[] b = [0.5, -1, 2];
        b.CopyTo(lin.Bias!.Value.Span);
        var y = lin.Forward(new Var<double>(Tensor<double>.FromArray([1.0, -1.0], 1, 2)));
        Assert.Equal([1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2], y.Value.ToArray());
    }

    [Fact]
    public void Linear_ThreeDimensionalInput_EqualsRowByRow()
    {
        var rng = new SeededRng(9);
        var lin = new Linear<double>(4, 3, rng);
        var x = Tensor<double>.Normal([2, 5, 4], 0, 1, rng);
        var y = lin.Forward(new Var<double>(x));
        Assert.Equal("(2, 5, 3)", y.Value.ShapeString);
        var flat = lin.Forward(new Var<double>(x.Reshape(10, 4)));
        TensorAssert.BitEqual<double>(flat.Value.Span, y.Value.Span);
    }

    [Fact]
    public void Linear_ThreeDimensionalInput_PassesGradientCheck()
    {
        var rng = new SeededRng(10);
        var result = GradientCheck.Check(v =>
        {
            var y = new Linear<double>(3, 2, new SeededRng(1)).Forward(v[0]); // (2, 2, 2)
            return Ops.Sum(y * y);
        }, Tensor<double>.Normal([2, 2, 3], 0, 1, rng));
        Assert.True(result.Passed);
    }

    [Fact]
    public void Linear_Init_IsWithinPyTorchBound_AndSeedDeterministic()
    {
        var a = new Linear<float>(16, 8, new SeededRng(7));
        var b = new Linear<float>(16, 8, new SeededRng(7));
        TensorAssert.BitEqual(a.Weight.Value.Span, b.Weight.Value.Span);
        float bound = 1f / MathF.Sqrt(16);
        Assert.All(a.Weight.Value.ToArray().Concat(a.Bias!.Value.ToArray()), v => Assert.InRange(v, -bound, bound));
        Assert.True(a.Weight.Value.ToArray().Max() > 0.8f * bound, "the draws should spread over the whole interval");
    }

    [Fact]
    public void Linear_WrongInputWidth_NamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Linear<double>(3, 2, new SeededRng(8)).Forward(new Var<double>(Tensor<double>.Zeros(2, 4))));
        Assert.Contains("(N, 3)", ex.Message);
        Assert.Contains("(2, 4)", ex.Message);
    }

    /// <summary>A user module that ties its output projection to its embedding table: W (V, E) used twice.</summary>
    private sealed class TiedModule : Module<double>
    {
        public TiedModule(SeededRng rng)
        {
            Embedding = AddModule("embedding", new Embedding<double>(5, 3, rng));
            OutputWeight = AddParameter("output_weight", Embedding.Weight);
        }
        public Embedding<double> Embedding { get; }
        public Var<double> OutputWeight { get; }

        // ids (N) → logits (N, V) = E[ids] Wᵀ
        public Var<double> Forward(ReadOnlySpan<int> ids) => Ops.MatMul(Embedding.Forward(ids), OutputWeight, transposeB: true);
    }

    [Fact]
    public void TiedParameter_IsListedUnderEachName_ButOptimisedOnce_WithBothGradients()
    {
        var m = new TiedModule(new SeededRng(9));
        Assert.Equal(["output_weight", "embedding.weight"], m.NamedParameters().Select(p => p.Key));
        Assert.Equal([m.Embedding.Weight], m.Parameters());
        Assert.Equal(15, m.ParameterCount());
        Assert.Equal(["output_weight", "embedding.weight"], m.StateDict().Keys.Order(StringComparer.Ordinal).Reverse());
        var adam = new SeqLearn.Optim.Adam<double>(m.Parameters()); // a duplicate Var would be rejected here
        Assert.Single(adam.Parameters);

        // The gradient reaching the one leaf is the sum over both uses: checked against central differences.
        var result = GradientCheck.CheckParameters(() => Ops.Sum(Ops.Tanh(m.Forward([0, 3, 3]))), [.. m.Parameters()]);
        Assert.True(result.Passed);
    }

    /// <summary>A module with one leaf registered under two own names.</summary>
    private sealed class TwiceOwned : Module<double>
    {
        public TwiceOwned(SeededRng rng)
        {
            var w = AddParameter("w", Tensor<double>.Ones(2, 3));
            AddParameter("w_again", w);
            AddModule("out", new Linear<double>(3, 2, rng));
        }
    }

    [Fact]
    public void Summary_CountsALeafRegisteredUnderTwoOwnNamesOnce()
    {
        var m = new TwiceOwned(new SeededRng(10));
        string[] lines = m.Summary().Split('\n');
        Assert.Equal(14, m.ParameterCount());
        Assert.Matches(@"^\(own\)\s+TwiceOwned\s+6$", lines[0].TrimEnd());
        Assert.Matches(@"^out\s+Linear\s+8$", lines[1].TrimEnd());
        Assert.Matches(@"^total\s+14 parameters$", lines[2]);
    }

    [Fact]
    public void ParameterAndLoadStateDict_BadArguments_NameTheParameter()
    {
        var m = new TwiceOwned(new SeededRng(11));
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => m.Parameter(null!)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => m.LoadStateDict(new Dictionary<string, Tensor<double>> { ["w"] = Tensor<double>.Ones(2, 3) }));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("missing [w_again, out.weight, out.bias]", e.Message);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new Named("a.b")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new Named("w", twice: true)).ParamName);
    }

    private sealed class Named : Module<double>
    {
        public Named(string name, bool twice = false)
        {
            AddParameter(name, Tensor<double>.Ones(1));
            if (twice) AddParameter(name, Tensor<double>.Ones(1));
        }
    }

    [Fact]
    public void AddParameter_OfAnOpResult_Throws()
    {
        var x = new Var<double>(Tensor<double>.Ones(2), requiresGrad: true);
        var ex = Assert.Throws<ArgumentException>(() => new OverGiven(Ops.Tanh(x)));
        Assert.Contains("must be a leaf", ex.Message);
    }

    private sealed class OverGiven : Module<double>
    {
        public OverGiven(Var<double> w) => AddParameter("w", w);
    }
}
