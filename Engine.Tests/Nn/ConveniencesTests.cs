using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Nn;

public class ConveniencesTests
{
    [Fact]
    public void Embedding_PaddingIndex_RowStartsAtZeroAndGetsNoGradient()
    {
        var emb = new Embedding<double>(5, 3, new SeededRng(1), paddingIndex: 0);
        Assert.Equal([0.0, 0, 0], emb.Weight.Value.Span[..3].ToArray());
        var y = emb.Forward([0, 2, 0, 2, 4], 1, 5);
        Ops.Sum(y * y).Backward();
        var g = emb.Weight.Grad!.Span;
        Assert.Equal([0.0, 0, 0], g[..3].ToArray());                                    // padding row: no gradient
        for (int j = 0; j < 3; j++) Assert.Equal(2 * 2 * emb.Weight.Value.Span[6 + j], g[6 + j], 12);   // row 2 looked up twice: 2·2w
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding<float>(5, 3, new SeededRng(1), paddingIndex: 5));
    }

    [Fact]
    public void Embedding_BatchTimesStepsPastIntOrNegative_Throws()
    {
        var emb = new Embedding<float>(5, 3, new SeededRng(1));
        // 65536 × 65536 = 2³² wraps to 0 in int, which 0 ids would match.
        Assert.Contains("0 ids do not form (B, T) = (65536, 65536)", Assert.Throws<ArgumentException>(() => emb.Forward([], 65536, 65536)).Message);
        // (−2) × (−3) = 6 ids.
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([0, 1, 2, 3, 4, 0], -2, -3));
        Assert.Contains("(B, T) = (-2, -3) has a negative size", ex.Message);
        Assert.Equal("batch", ex.ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([], 0, -1)).ParamName);
    }

    [Fact]
    public void Embedding_PaddingIndex_IsStoredInTheLayerConfig()
    {
        var json = SeqLearn.Nn.LayerConfig.ToJson(new Embedding<float>(7, 2, new SeededRng(1), paddingIndex: 3));
        Assert.Equal(3, (int)json["padding_idx"]!);
        Assert.Equal(3, ((Embedding<float>)SeqLearn.Nn.LayerConfig.FromJson<float>(json, new SeededRng(2))).PaddingIndex);
    }

    [Fact]
    public void ParameterCount_AndSummary_CountEveryLayer()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(10, 4, rng), new Lstm<float>(4, 5, rng), new LastStep<float>(), new Linear<float>(5, 2, rng));
        // 10·4 + LSTM 4·5·(4 + 5) + 2·4·5 + Linear 2·5 + 2 = 40 + 180 + 40 + 12 = 272
        Assert.Equal(272, model.ParameterCount());
        string summary = model.Summary();
        Assert.Contains("0      Embedding", summary);
        Assert.Contains("2      LastStep", summary);
        Assert.EndsWith("272 parameters", summary);
        Assert.Equal(5, summary.Split('\n').Length);
    }

    [Fact]
    public void Item_OfAScalarLoss_AndAnErrorOtherwise()
    {
        var loss = Ops.Sum(new Var<double>(Tensor<double>.FromArray([1.5, 2.5], 2)));
        Assert.Equal(4.0, loss.Item());
        var e = Assert.Throws<InvalidOperationException>(() => new Var<float>(Tensor<float>.Zeros(2, 3)).Item());
        Assert.Contains("6 elements", e.Message);
    }
}
