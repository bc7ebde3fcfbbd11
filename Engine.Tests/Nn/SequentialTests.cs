using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

public class SequentialTests
{
    [Fact]
    public void Sequential_EmbeddingLstmLinear_EqualsTheLayersCalledByHand()
    {
        var rng = new SeededRng(1);
        var embedding = new Embedding<double>(7, 3, rng);
        var lstm = new Lstm<double>(3, 4, rng);
        var linear = new Linear<double>(4, 7, rng);
        var model = new Sequential<double>(embedding, lstm, linear);
        int[] ids = [1, 2, 6, 0, 5, 3];

        var viaStack = model.Forward(ids, batch: 2, steps: 3);
        var byHand = linear.Forward(lstm.Forward(embedding.Forward(ids, 2, 3)).Output);

        Assert.Equal("(2, 3, 7)", viaStack.Value.ShapeString);
        TensorAssert.BitEqual<double>(byHand.Value.Span, viaStack.Value.Span, "logits");
    }

    [Fact]
    public void Sequential_ParameterNames_AreIndexedLikePyTorch()
    {
        var rng = new SeededRng(2);
        var model = new Sequential<float>(new Embedding<float>(5, 2, rng), new Gru<float>(2, 3, rng), new Linear<float>(3, 5, rng));
        Assert.Equal(["0.weight", "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "2.weight", "2.bias"],
            model.NamedParameters().Select(p => p.Key));
    }

    [Fact]
    public void Sequential_EmbeddingNotFirst_NamesThePosition()
    {
        var rng = new SeededRng(3);
        var e = Assert.Throws<ArgumentException>(() => new Sequential<float>(new Linear<float>(2, 2, rng), new Embedding<float>(4, 2, rng)));
        Assert.Contains("layer 1 (Embedding)", e.Message);
        Assert.Contains("can only come first", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Sequential_NestedStackStartingWithAnEmbedding_IsRefusedNamingThePosition(int position)
    {
        var rng = new SeededRng(3);
        var inner = new Sequential<float>(new Embedding<float>(4, 2, rng), new Linear<float>(2, 2, rng));
        Module<float>[] layers = position == 0 ? [inner, new Linear<float>(2, 2, rng)] : [new Embedding<float>(4, 2, rng), inner];
        var e = Assert.Throws<ArgumentException>(() => new Sequential<float>(layers));
        Assert.Equal("layers", e.ParamName);
        Assert.Contains($"layer {position} (Sequential)", e.Message);
        Assert.Contains("first layer is an Embedding", e.Message);

        // A stored config of such a stack is refused the same way when it is rebuilt.
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "sequential",
            ["layers"] = new System.Text.Json.Nodes.JsonArray([.. layers.Select(l => (System.Text.Json.Nodes.JsonNode)SeqLearn.Nn.LayerConfig.ToJson(l))]),
        };
        Assert.Contains($"layer {position} (Sequential)", Assert.Throws<FormatException>(() => SeqLearn.Nn.LayerConfig.FromJson<float>(json, rng)).Message);
    }

    [Fact]
    public void Sequential_NestedStackWithoutAnEmbedding_IsALayer()
    {
        var rng = new SeededRng(3);
        var embedding = new Embedding<double>(4, 2, rng);
        var inner = new Sequential<double>(new Linear<double>(2, 3, rng), new Linear<double>(3, 2, rng));
        var model = new Sequential<double>(embedding, inner);
        int[] ids = [0, 3, 1, 2];
        TensorAssert.BitEqual<double>(inner.Forward(embedding.Forward(ids, 2, 2)).Value.Span, model.Forward(ids, 2, 2).Value.Span, "output");
    }

    [Fact]
    public void Sequential_ManyToOne_GradientCheckOverEveryParameter()
    {
        // A sentiment-style classifier: sequence → LSTM → last step → tanh dense → 2 logits.
        var rng = new SeededRng(4);
        var model = new Sequential<double>(new Lstm<double>(2, 3, rng), new LastStep<double>(), new Linear<double>(3, 3, rng),
            new Activation<double>(ActivationFunction.Tanh), new Linear<double>(3, 2, rng));
        var x = new Var<double>(Tensor<double>.Normal([2, 4, 2], 0, 1, rng));
        var result = GradientCheck.CheckParameters(() => Ops.SoftmaxCrossEntropy(model.Forward(x), [1, 0]), model.Parameters().ToList());
        Assert.True(result.Passed);
    }

    [Fact]
    public void Sequential_ActiveDropoutWithoutRng_IsAClearError()
    {
        var rng = new SeededRng(5);
        var model = new Sequential<float>(new Linear<float>(2, 2, rng), new Dropout<float>(0.5));
        var x = new Var<float>(Tensor<float>.Ones(3, 2));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(x));
        Assert.Contains("needs an explicit rng", e.Message);
        model.Eval();
        Assert.Equal("(3, 2)", model.Forward(x).Value.ShapeString);
    }

    [Fact]
    public void LastStep_TakesTheFinalTimeStep()
    {
        var x = new Var<float>(Tensor<float>.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 2, 3, 2));
        Assert.Equal([5f, 6, 11, 12], new LastStep<float>().Forward(x).Value.ToArray());
    }

    [Fact]
    public void Activation_UndefinedFunction_IsRejectedAtConstruction()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Activation<double>((ActivationFunction)9));
        Assert.Equal("function", e.ParamName);
        Assert.Contains("Tanh, Sigmoid, Relu", e.Message);
    }

    [Fact]
    public void ModuleMessages_NameTheTypeWithoutTheGenericArity()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => new Linear<double>(2, 2, new SeededRng(1)).Parameter("nope"));
        Assert.StartsWith("Linear: no parameter named 'nope'", e.Message);
    }
}
