using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// Forward values of the padded-batch and attention ops on hand-worked inputs, that padding is never read (NaN and
/// ±∞ there change nothing), that padded positions get exactly 0, and the shape errors.
/// </summary>
public class MaskingOpTests
{
    private static Var<double> V(double[] data, params int[] shape) => new(Tensor<double>.FromArray(data, shape), requiresGrad: true);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BatchedMatMul_EqualsPlainLoopsPerEntry(bool ta, bool tb)
    {
        var gen = new CaseGen(31);
        int n = 3, m = 5, k = 7, p = 4;
        var a = gen.Normal(ta ? [n, k, m] : [n, m, k]);
        var b = gen.Normal(tb ? [n, p, k] : [n, k, p]);
        var c = Ops.BatchedMatMul(new Var<double>(a), new Var<double>(b), ta, tb).Value;
        Assert.Equal([n, m, p], c.ShapeArray());
        for (int e = 0; e < n; e++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < p; j++)
                {
                    double sum = 0;
                    for (int q = 0; q < k; q++)
                        sum += (ta ? a[e, q, i] : a[e, i, q]) * (tb ? b[e, j, q] : b[e, q, j]);
                    Assert.Equal(sum, c[e, i, j], 12);
                }
    }

    [Fact]
    public void BatchedMatMul_ShapeErrors_NameTheOpAndBothShapes()
    {
        var a = new Var<double>(Tensor<double>.Zeros(2, 3, 4));
        var e = Assert.Throws<ArgumentException>(() => Ops.BatchedMatMul(a, new Var<double>(Tensor<double>.Zeros(2, 5, 6))));
        Assert.Contains("BatchedMatMul", e.Message);
        Assert.Contains("(2, 3, 4)", e.Message);
        Assert.Contains("(2, 5, 6)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.BatchedMatMul(a, new Var<double>(Tensor<double>.Zeros(3, 4, 6))));
        Assert.Contains("batch sizes differ: (2, 3, 4) · (3, 4, 6)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.BatchedMatMul(a, new Var<double>(Tensor<double>.Zeros(4, 6))));
        Assert.Contains("3-D", e.Message);
    }

    [Fact]
    public void MaskedSoftmax_PaddedPositionsAreExactlyZero_ValueAndGradient()
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        // (N = 2, M = 2, S = 4), lengths [3, 1]; padding holds NaN and ±∞.
        var x = V([1, 2, 3, nan, 0, 0, 0, inf, 5, nan, -inf, inf, -1, 7, nan, 2], 2, 2, 4);
        var y = Ops.MaskedSoftmax(x, [3, 1]);
        double z = Math.Exp(-2) + Math.Exp(-1) + 1;
        double[] expected = [Math.Exp(-2) / z, Math.Exp(-1) / z, 1 / z, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 1, 0, 0, 0, 1, 0, 0, 0];
        TensorAssert.AllClose<double>(expected, y.Value.Span, rtol: 1e-15, atol: 0);
        foreach (int j in new[] { 3, 7, 9, 10, 11, 13, 14, 15 })
            Assert.Equal(0UL, BitConverter.DoubleToUInt64Bits(y.Value.Span[j]));     // +0 exactly
        var w = new Var<double>(Tensor<double>.FromArray([1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 2, 2, 4));
        Ops.Sum(y * w).Backward();
        foreach (int j in new[] { 3, 7, 9, 10, 11, 13, 14, 15 })
            Assert.Equal(0.0, x.Grad!.Span[j]);
        Assert.Equal(0.0, x.Grad!.Span[8]);                                        // a one-element softmax is constant
        Assert.True(x.Grad!.Span[0] != 0);
    }

    [Fact]
    public void MaskedSoftmax_EqualsSoftmaxOfTheValidPrefixAlone_AndTheAdditiveMask()
    {
        var gen = new CaseGen(32);
        var x = gen.Normal(4, 9);
        int[] lengths = [9, 1, 5, 0];
        var masked = Ops.MaskedSoftmax(new Var<double>(x), lengths).Value;
        var additive = x.Clone();
        var add = SequenceMask.Additive<double>(lengths, 9).Span;
        for (int i = 0; i < add.Length; i++) additive.Span[i] += add[i];
        var viaAdditive = Ops.Softmax(new Var<double>(additive)).Value;
        for (int r = 0; r < 4; r++)
        {
            int len = lengths[r];
            if (len == 0)
            {
                Assert.All(masked.Span.Slice(r * 9, 9).ToArray(), v => Assert.Equal(0.0, v));
                continue;
            }
            var alone = Ops.Softmax(new Var<double>(Tensor<double>.FromArray(x.Span.Slice(r * 9, len).ToArray(), len))).Value;
            TensorAssert.BitEqual<double>(alone.Span, masked.Span.Slice(r * 9, len), $"row {r}");
            TensorAssert.AllClose<double>(masked.Span.Slice(r * 9, 9), viaAdditive.Span.Slice(r * 9, 9), rtol: 1e-14, atol: 0);
        }
    }

    [Fact]
    public void SequenceMask_ValidAndAdditive()
    {
        Assert.Equal([1.0, 1, 0, 1, 1, 1], SequenceMask.Valid<double>([2, 3], 3).ToArray());
        Assert.Equal([0f, float.NegativeInfinity, 0, 0], SequenceMask.Additive<float>([1, 2], 2).ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceMask.Valid<float>([2, 4], 3));
        Assert.Contains("length 4 of row 1 is outside [0, 3]", e.Message);
    }

    [Fact]
    public void SequenceMask_NegativeSteps_IsAnErrorNamingTheMethodAndTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceMask.Valid<float>([0], -1));
        Assert.Contains("SequenceMask.Valid", e.Message);
        Assert.Contains("-1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceMask.Additive<double>([0, 0], -2));
        Assert.Contains("SequenceMask.Additive", e.Message);
        Assert.Contains("-2", e.Message);
    }

    [Fact]
    public void MaskedMse_AveragesOnlyTheMaskedInElements_AndIgnoresNaNPadding()
    {
        // (B = 2, T = 2, F = 2) with a (B, T) mask [[1, 0], [1, 1]]: 6 elements count.
        var p = V([1, 2, double.NaN, 9, 3, 4, 0, 1], 2, 2, 2);
        var t = V([0, 0, 0, 0, 1, 1, 0, -1], 2, 2, 2);
        var mask = Tensor<double>.FromArray([1, 0, 1, 1], 2, 2);
        var loss = Ops.MseLoss(p, t, mask);
        Assert.Equal((1 + 4 + 4 + 9 + 0 + 4) / 6.0, loss.Value.Span[0]);
        loss.Backward();
        Assert.Equal([2 / 6.0, 4 / 6.0, 0, 0, 4 / 6.0, 6 / 6.0, 0, 4 / 6.0], p.Grad!.ToArray());
        Assert.Equal(1 + 4 + 4 + 9 + 0 + 4.0, Ops.MseLoss(p, t, mask, Reduction.Sum).Value.Span[0]);
        var e = Assert.Throws<ArgumentException>(() => Ops.MseLoss(p, t, Tensor<double>.Zeros(2, 3)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(2, 2, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.MseLoss(p, t, Tensor<double>.Full(0.5, 2)));
        Assert.Contains("0 or 1", e.Message);
    }

    [Fact]
    public void Pooling_HandWorkedValuesAndGradients()
    {
        // x (B = 2, T = 3, F = 2), lengths [2, 3]; row 0's step 2 is padding (NaN).
        double nan = double.NaN;
        double[] data = [1, 8, 3, 8, nan, nan, 0, -1, 5, -1, 2, 4];
        int[] lengths = [2, 3];

        var x = V(data, 2, 3, 2);
        var last = Ops.LastValidStep(x, lengths);
        Assert.Equal([3.0, 8, 2, 4], last.Value.ToArray());
        Ops.Sum(last).Backward();
        Assert.Equal([0.0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1], x.Grad!.ToArray());

        x = V(data, 2, 3, 2);
        var mean = Ops.MaskedMean(x, lengths);
        Assert.Equal([2.0, 8, 7 / 3.0, 2 / 3.0], mean.Value.ToArray());
        Ops.Sum(mean).Backward();
        double h = 0.5, th = 1 / 3.0;
        Assert.Equal([h, h, h, h, 0, 0, th, th, th, th, th, th], x.Grad!.ToArray());

        x = V(data, 2, 3, 2);
        var max = Ops.MaskedMax(x, lengths);
        Assert.Equal([3.0, 8, 5, 4], max.Value.ToArray());
        Ops.Sum(max).Backward();
        // Feature 1 of row 0 ties (8, 8): the gradient goes to the first, step 0.
        Assert.Equal([0.0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1], x.Grad!.ToArray());

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MaskedMax(x, [0, 3]));
        Assert.Contains("MaskedMax", e.Message);
        Assert.Contains("length 0 of row 0 is outside [1, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => Ops.MaskedMean(x, [1, 2, 3]));
    }

    /// <summary>
    /// The float max pool runs on whole vectors (and the scalar loop on the tail): on widths around the vector length, with
    /// many ties (values from a set of 3) and NaNs, its values and the step each gradient goes to equal a plain loop's; a
    /// NaN anywhere in a row's valid steps makes that feature's maximum NaN, wherever it sits.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(70)]
    public void MaskedMax_Float_VectorPathEqualsThePlainLoop_WithTiesAndNaN(int f)
    {
        var rng = new SeededRng((ulong)f);
        const int b = 3, t = 5;
        int[] lengths = [5, 1, 3];
        var data = new float[b * t * f];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextInt(10) == 0 ? float.NaN : rng.NextInt(3) - 1;
        var x = new Var<float>(Tensor<float>.FromArray(data, b, t, f), requiresGrad: true);
        var y = Ops.MaskedMax(x, lengths);
        Ops.Sum(y).Backward();
        var expectedGrad = new float[data.Length];
        for (int r = 0; r < b; r++)
            for (int j = 0; j < f; j++)
            {
                int best = 0;
                for (int s = 1; s < lengths[r]; s++)
                {
                    float v = data[(r * t + s) * f + j], m = data[(r * t + best) * f + j];
                    if (v > m || (float.IsNaN(v) && !float.IsNaN(m))) best = s;   // the first maximum, or the first NaN (PyTorch's max)
                }
                Assert.Equal(data[(r * t + best) * f + j], y.Value.Span[r * f + j]);
                bool anyNaN = Enumerable.Range(0, lengths[r]).Any(s => float.IsNaN(data[(r * t + s) * f + j]));
                Assert.Equal(anyNaN, float.IsNaN(y.Value.Span[r * f + j]));
                expectedGrad[(r * t + best) * f + j] = 1;
            }
        Assert.Equal(expectedGrad, x.Grad!.ToArray());
    }

    [Fact]
    public void PoolingModules_WithoutLengths_UseEveryStep_AndLastStepBidirectionalTakesBothEnds()
    {
        // x (B = 1, T = 3, F = 4): [forward H = 2 | reverse H = 2].
        var x = new Var<double>(Tensor<double>.FromArray([1, 2, 10, 20, 3, 4, 30, 40, 5, 6, 50, 60], 1, 3, 4));
        Assert.Equal([3.0, 4, 30, 40], new MaskedMeanPool<double>().Forward(x).Value.ToArray());
        Assert.Equal([5.0, 6, 50, 60], new MaskedMaxPool<double>().Forward(x).Value.ToArray());
        Assert.Equal([5.0, 6, 50, 60], new LastStep<double>().Forward(x).Value.ToArray());
        Assert.Equal([5.0, 6, 10, 20], new LastStep<double>(bidirectional: true).Forward(x).Value.ToArray());
        Assert.Equal([3.0, 4, 10, 20], new LastStep<double>(bidirectional: true).Forward(x, [2]).Value.ToArray());
        ISequentialLayer<double> layer = new LastStep<double>();
        Assert.Equal([3.0, 4, 30, 40], layer.Forward(x, new LayerContext(Lengths: [2])).Value.ToArray());
        Assert.Throws<ArgumentException>(() => new LastStep<double>(bidirectional: true).Forward(new Var<double>(Tensor<double>.Zeros(1, 2, 3))));
    }

    [Fact]
    public void LastStep_NoTimeSteps_SaysThereIsNoLastStep()
    {
        var e = Assert.Throws<ArgumentException>(() => new LastStep<double>().Forward(new Var<double>(Tensor<double>.Zeros(2, 0, 3))));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("LastStep: a sequence of no steps has no last step, got (2, 0, 3)", e.Message);
    }
}
