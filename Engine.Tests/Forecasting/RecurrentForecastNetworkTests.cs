using SeqLearn.Autograd;
using SeqLearn.Forecasting;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Forecasting;

public class RecurrentForecastNetworkTests
{
    private static Var<double> Window(int batch, int steps, int features, ulong seed)
    {
        var rng = new SeededRng(seed);
        return new Var<double>(Tensor<double>.Uniform([batch, steps, features], -1, 1, rng), requiresGrad: true);
    }

    [Fact]
    public void LinearPath_StartsAtZero_SoTheNetworkStartsAsTheRecurrentPartAlone()
    {
        var plain = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 5, 3, 4, 1, 2, linearPath: false, new SeededRng(7));
        var withPath = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 5, 3, 4, 1, 2, linearPath: true, new SeededRng(7));
        Assert.Equal(plain.ParameterCount() + 2 * 5 * 3, withPath.ParameterCount());
        Assert.All(withPath.Parameter("ar.weight").Value.ToArray(), w => Assert.Equal(0, w));
        var x = Window(3, 5, 3, 1);
        Assert.Equal(plain.Forward(x, LayerContext.None).Value.ToArray(), withPath.Forward(x, LayerContext.None).Value.ToArray());
    }

    [Fact]
    public void LinearPath_AddsAVecX()
    {
        // With the recurrent output subtracted, what remains is A vec(x) for A (K, T·F).
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Gru, 4, 2, 3, 1, 2, linearPath: true, new SeededRng(3));
        var x = Window(2, 4, 2, 5);
        double[] before = net.Forward(x, LayerContext.None).Value.ToArray();
        var a = net.Parameter("ar.weight").Value.Span;                  // (2, 8)
        for (int i = 0; i < a.Length; i++) a[i] = 0.1 * (i + 1);
        double[] after = net.Forward(x, LayerContext.None).Value.ToArray();
        double[] xs = x.Value.ToArray();
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++)
            {
                double ax = 0;
                for (int j = 0; j < 8; j++) ax += a[k * 8 + j] * xs[b * 8 + j];
                Assert.Equal(before[b * 2 + k] + ax, after[b * 2 + k], 12);
            }
    }

    [Fact]
    public void Gradient_MatchesCentralDifferences()
    {
        // float64 central differences over the input window and every parameter (both paths), on a weighted sum of ẑ.
        var net = new RecurrentForecastNetwork<double>(RecurrentCell.Lstm, 3, 2, 3, 1, 2, linearPath: true, new SeededRng(11));
        var a = net.Parameter("ar.weight").Value.Span;
        for (int i = 0; i < a.Length; i++) a[i] = 0.3 - 0.05 * i;
        var x = Window(2, 3, 2, 9).Value;
        var u = Tensor<double>.Uniform([2, 2], -1, 1, new SeededRng(4));
        Assert.True(GradientCheck.Check(v => Ops.Sum(Ops.Mul(net.Forward(v[0], LayerContext.None), new Var<double>(u))), x).Passed);
        Assert.True(GradientCheck.CheckParameters(() => Ops.Sum(Ops.Mul(net.Forward(new Var<double>(x), LayerContext.None), new Var<double>(u))),
            [.. net.Parameters()]).Passed);
    }
}
