using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// A reshape's backward hands its gradient buffer to its input when the input has none yet (Node.AddPassThrough):
/// the values must be those of adding it, whatever else reads the input.
/// </summary>
public class ReshapeGradientTests
{
    private static Var<double> Input(int n, ulong seed)
    {
        var rng = new SeededRng(seed);
        return new Var<double>(Tensor<double>.FromArray(Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray(), n), requiresGrad: true);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(300_000)]       // above Tensor.RentFromElements: the moved buffer is a rented one
    public void ReshapedTwiceAndReadDirectly_GradientIsTheSumOfAllPaths(int n)
    {
        var x = Input(n, 1);
        var t = Ops.Tanh(x);                                             // a non-leaf read by three ops
        var a = Ops.Reshape(t, 2, n / 2);
        var b = Ops.Reshape(t, n / 4, 4);
        var loss = Ops.Add(Ops.Add(Ops.Sum(Ops.Mul(a, a)), Ops.Sum(Ops.Mul(b, b))), Ops.Sum(Ops.Mul(t, t)));
        loss.Backward();
        // ∂/∂x Σ 3 tanh(x)² = 6 tanh(x) (1 − tanh(x)²)
        var expected = x.Value.ToArray().Select(v => 6 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v))).ToArray();
        TensorAssert.AllClose<double>(expected, x.Grad!.Span, rtol: 1e-12, atol: 1e-12);
    }

    [Fact]
    public void UserSeed_IsNeverTakenAsAGradientBuffer()
    {
        var x = Input(300_000, 2);
        var t = Ops.Tanh(x);
        var y = Ops.Reshape(t, 600, 500);
        var seed = Tensor<double>.Ones(600, 500);
        y.Backward(seed);
        Assert.All(seed.ToArray(), v => Assert.Equal(1.0, v));          // unchanged: the sweep added into its own buffer
        var expected = x.Value.ToArray().Select(v => 1 - Math.Tanh(v) * Math.Tanh(v)).ToArray();
        TensorAssert.AllClose<double>(expected, x.Grad!.Span, rtol: 1e-12, atol: 1e-12);
    }

    [Fact]
    public void ReshapeOfALeaf_AccumulatesIntoItsGrad()
    {
        var x = Input(300_000, 3);
        x.Grad = Tensor<double>.Ones(300_000);                           // an earlier backward left a gradient
        Ops.Sum(Ops.Reshape(x, 1000, 300)).Backward();
        Assert.All(x.Grad.ToArray(), v => Assert.Equal(2.0, v));
    }
}
