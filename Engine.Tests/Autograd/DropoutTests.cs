using SeqLearn.Autograd;
using SeqLearn.Kernels;
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

public class DropoutMaskTests
{
    // The mask as its definition states it: the i-th NextDouble u_i of the rng, kept (1/(1 − p)) when u_i ≥ p.
    private static T[] ReferenceMask<T>(int n, double p, ulong seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        var keep = T.CreateTruncating(1.0 / (1.0 - p));
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() >= p ? keep : T.Zero).ToArray();
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void Mask_IsTheOneTheDoublesDefine_FloatAndDouble_AnyPool(double p)
    {
        using var pool = new WorkerPool(2);
        // Odd lengths: vector bodies with scalar tails, several 256-draw blocks, and one above the parallel threshold.
        foreach (int n in new[] { 1, 7, 255, 257, 1031, 70_001 })
            foreach (var q in new[] { null, pool })
            {
                var xf = new Var<float>(Tensor<float>.Ones(n), requiresGrad: true);
                var yf = Ops.Dropout(xf, p, training: true, new SeededRng(11), q);
                TensorAssert.BitEqual<float>(ReferenceMask<float>(n, p, 11), yf.Value.Span, $"float n={n}");
                var xd = new Var<double>(Tensor<double>.Ones(n), requiresGrad: true);
                var yd = Ops.Dropout(xd, p, training: true, new SeededRng(12), q);
                TensorAssert.BitEqual<double>(ReferenceMask<double>(n, p, 12), yd.Value.Span, $"double n={n}");
                Ops.Sum(yd).Backward();
                TensorAssert.BitEqual<double>(yd.Value.Span, xd.Grad!.Span, $"double gradient n={n}");
            }
    }

    [Fact]
    public void RngState_AfterDropout_IsAdvancedByOneDrawPerElement()
    {
        var x = new Var<float>(Tensor<float>.Ones(1000));
        var rng = new SeededRng(4);
        Ops.Dropout(x, 0.3, training: true, rng);
        var reference = new SeededRng(4);
        for (int i = 0; i < 1000; i++) reference.NextDouble();
        Assert.Equal(reference.NextUInt64(), rng.NextUInt64());
    }

    [Fact]
    public void Pooled_ForwardAndBackward_BitIdenticalToOneThread()
    {
        var rng = new SeededRng(21);
        int n = 3 * 65_536 + 11;
        var values = Enumerable.Range(0, n).Select(_ => (float)rng.NextNormal()).ToArray();
        var upstream = Tensor<float>.FromArray(Enumerable.Range(0, n).Select(_ => (float)rng.NextNormal()).ToArray(), n);
        using var pool = new WorkerPool(2);
        (float[] Y, float[] G) Run(WorkerPool? q)
        {
            var x = new Var<float>(Tensor<float>.FromArray((float[])values.Clone(), n), requiresGrad: true);
            var y = Ops.Dropout(Ops.Tanh(x), 0.2, training: true, new SeededRng(3), q);
            y.Backward(upstream);
            return (y.Value.ToArray(), x.Grad!.ToArray());
        }
        var (y1, g1) = Run(null);
        var (y2, g2) = Run(pool);
        TensorAssert.BitEqual<float>(y1, y2, "forward");
        TensorAssert.BitEqual<float>(g1, g2, "backward");
    }
}
