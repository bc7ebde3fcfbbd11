using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>Saturating and exponential ops stay finite at extreme inputs, in float and double.</summary>
public class NumericalStabilityTests
{
    private static void AssertFinite<T>(Tensor<T> t, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            Assert.True(T.IsFinite(s[i]), $"{what}: element {i} is {s[i]}");
    }

    private static void SaturatingOps_At300<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[] at = [-300, 300];
        // References from System.Math in double: σ(x) = 1/(1 + e^(−x)), σ' = σ(1 − σ); tanh' = 1 − tanh².
        static double Sigma(double x) => 1 / (1 + Math.Exp(-x));
        foreach (var (name, op, f, df) in new (string, Func<Var<T>, Var<T>>, Func<double, double>, Func<double, double>)[]
                 {
                     ("Sigmoid", Ops.Sigmoid, Sigma, x => Sigma(x) * (1 - Sigma(x))),
                     ("Tanh", Ops.Tanh, Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x)),
                 })
        {
            var x = new Var<T>(Tensor<T>.FromArray(at.Select(T.CreateTruncating).ToArray(), 2), requiresGrad: true);
            var y = op(x);
            Ops.Sum(y).Backward();
            AssertFinite(y.Value, $"{name}<{typeof(T).Name}> at ±300");
            AssertFinite(x.Grad!, $"{name}<{typeof(T).Name}> gradient at ±300");
            var expectedY = Tensor<T>.FromArray(at.Select(v => T.CreateTruncating(f(v))).ToArray(), 2);
            var expectedGrad = Tensor<T>.FromArray(at.Select(v => T.CreateTruncating(df(v))).ToArray(), 2);
            TensorAssert.AllClose(expectedY, y.Value, rtol: 1e-6, atol: 0, what: name);
            TensorAssert.AllClose(expectedGrad, x.Grad!, rtol: 1e-6, atol: 1e-300, what: name + " gradient");
        }
    }

    [Fact]
    public void SigmoidAndTanh_At300_FiniteAndMatchesMath_Float() => SaturatingOps_At300<float>();

    [Fact]
    public void SigmoidAndTanh_At300_FiniteAndMatchesMath_Double() => SaturatingOps_At300<double>();

    private static void Softmaxes_At1e4<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] row = [T.CreateTruncating(1e4), T.CreateTruncating(-1e4), T.Zero];
        var upstream = Tensor<T>.FromArray([T.One, T.CreateTruncating(2), T.CreateTruncating(3)], 1, 3);

        var x = new Var<T>(Tensor<T>.FromArray((T[])row.Clone(), 1, 3), requiresGrad: true);
        var logP = Ops.LogSoftmax(x);
        // log-softmax = x − max − log Σ exp(x − max) = [0, −2e4, −1e4] up to e^(−1e4) terms.
        TensorAssert.AllClose(Tensor<T>.FromArray([T.Zero, T.CreateTruncating(-2e4), T.CreateTruncating(-1e4)], 1, 3), logP.Value, rtol: 1e-6, atol: 1e-6);
        logP.Backward(upstream);
        AssertFinite(x.Grad!, "LogSoftmax gradient at ±1e4");
        // ∂/∂x = g − p·Σg with p = [1, 0, 0]: [1 − 6, 2, 3].
        TensorAssert.AllClose(Tensor<T>.FromArray([T.CreateTruncating(-5), T.CreateTruncating(2), T.CreateTruncating(3)], 1, 3), x.Grad!, rtol: 1e-6, atol: 1e-6);

        var xs = new Var<T>(Tensor<T>.FromArray((T[])row.Clone(), 1, 3), requiresGrad: true);
        var p = Ops.Softmax(xs);
        TensorAssert.AllClose(Tensor<T>.FromArray([T.One, T.Zero, T.Zero], 1, 3), p.Value, rtol: 0, atol: 1e-30);
        p.Backward(upstream);
        AssertFinite(xs.Grad!, "Softmax gradient at ±1e4");
        // ∂/∂x = p ⊙ (g − p·g) with p = [1, 0, 0], g = [1, 2, 3]: p·g = 1, so [0, 0, 0].
        TensorAssert.AllClose(Tensor<T>.FromArray([T.Zero, T.Zero, T.Zero], 1, 3), xs.Grad!, rtol: 0, atol: 1e-6, what: "Softmax gradient");

        var z = new Var<T>(Tensor<T>.FromArray((T[])row.Clone(), 1, 3), requiresGrad: true);
        var loss = Ops.SoftmaxCrossEntropy(z, [1]);
        Assert.Equal(2e4, double.CreateTruncating(loss.Value.Span[0]), 1e-6);   // −log p₁ = 2e4
        loss.Backward();
        // softmax − onehot(1) = [1, −1, 0].
        TensorAssert.AllClose(Tensor<T>.FromArray([T.One, -T.One, T.Zero], 1, 3), z.Grad!, rtol: 0, atol: 1e-30);
    }

    [Fact]
    public void LogSoftmaxSoftmaxCrossEntropy_Logits1e4_FiniteValuesAndGradients_Float() => Softmaxes_At1e4<float>();

    [Fact]
    public void LogSoftmaxSoftmaxCrossEntropy_Logits1e4_FiniteValuesAndGradients_Double() => Softmaxes_At1e4<double>();
}
