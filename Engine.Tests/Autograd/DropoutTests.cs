using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

public class DropoutTests
{
    [Fact]
    public void Dropout_Eval_IsIdentity()
    {
        var x = new Var<double>(Tensor<double>.Ones(3, 4), requiresGrad: true);
        Assert.Same(x, Ops.Dropout(x, 0.5, training: false, new SeededRng(1)));
        Assert.Same(x, Ops.Dropout(x, 0.0, training: true, new SeededRng(1)));
    }

    [Fact]
    public void Dropout_Training_DropsAboutPAndScalesKeptBy1OverOneMinusP()
    {
        const double P = 0.3;
        const int N = 20_000;
        var x = new Var<double>(Tensor<double>.Ones(N), requiresGrad: true);
        var y = Ops.Dropout(x, P, training: true, new SeededRng(9));
        int dropped = 0;
        foreach (var v in y.Value.Span)
        {
            if (v == 0) dropped++;
            else Assert.Equal(1 / (1 - P), v, 1e-15);
        }
        // Binomial(N, p): standard deviation √(N p (1 − p)) ≈ 65; allow 5σ.
        Assert.InRange(dropped, N * P - 325, N * P + 325);
        // The gradient is the same mask.
        Ops.Sum(y).Backward();
        TensorAssert.BitEqual<double>(y.Value.Span, x.Grad!.Span);
    }

    [Fact]
    public void Dropout_SameSeed_SameMask_DifferentSeed_DifferentMask()
    {
        var x = new Var<float>(Tensor<float>.Ones(64));
        var a = Ops.Dropout(x, 0.5, training: true, new SeededRng(3)).Value;
        var b = Ops.Dropout(x, 0.5, training: true, new SeededRng(3)).Value;
        var c = Ops.Dropout(x, 0.5, training: true, new SeededRng(4)).Value;
        TensorAssert.BitEqual<float>(a.Span, b.Span);
        Assert.False(a.Span.SequenceEqual(c.Span));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Dropout_POutsideRange_ClearError(double p)
    {
        var x = new Var<double>(Tensor<double>.Ones(2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, p, training: true, new SeededRng(1)));
        Assert.Contains("outside [0, 1)", e.Message);
    }
}
