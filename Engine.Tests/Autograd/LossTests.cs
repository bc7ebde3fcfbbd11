using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>The fused cross-entropy against its composed definition, ignore-index rules, bad targets, MSE.</summary>
public class LossTests
{
    /// <summary>The composed reference: −Σₙ w · onehot(tₙ) · log_softmax(zₙ), built from primitive ops.</summary>
    private static Var<T> ComposedCrossEntropy<T>(Var<T> z, int[] targets, Reduction reduction, int ignoreIndex)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int v = z.Value.Dim(1);
        var onehot = Tensor<T>.Zeros(targets.Length, v);
        int counted = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignoreIndex) continue;
            onehot[r, targets[r]] = T.One;
            counted++;
        }
        var picked = Ops.Sum(Ops.LogSoftmax(z) * new Var<T>(onehot));
        T w = reduction == Reduction.Mean ? -T.One / T.CreateTruncating(counted) : -T.One;
        return picked * w;
    }

    private static void FusedEqualsComposed<T>(double rtol, double atol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var gen = new CaseGen(77);
        for (int c = 0; c < 8; c++)
        {
            int n = gen.Size() + 1, v = gen.Size() + 1;
            var targets = Enumerable.Range(0, n).Select(_ => gen.Rng.NextInt(v)).ToArray();
            targets[gen.Rng.NextInt(n)] = -100;
            if (targets.All(t => t == -100)) targets[0] = 0;
            var reduction = c % 2 == 0 ? Reduction.Mean : Reduction.Sum;
            var logits = gen.Normal(n, v).Cast<T>();
            var zf = new Var<T>(logits.Clone(), requiresGrad: true);
            var zc = new Var<T>(logits.Clone(), requiresGrad: true);
            var fused = Ops.SoftmaxCrossEntropy(zf, targets, reduction);
            var composed = ComposedCrossEntropy(zc, targets, reduction, -100);
            TensorAssert.AllClose(composed.Value, fused.Value, rtol, atol, $"case {c} loss");
            fused.Backward();
            composed.Backward();
            TensorAssert.AllClose(zc.Grad!, zf.Grad!, rtol, atol, $"case {c} gradient");
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_FusedEqualsComposed_Double() => FusedEqualsComposed<double>(1e-12, 1e-14);

    [Fact]
    public void SoftmaxCrossEntropy_FusedEqualsComposed_Float() => FusedEqualsComposed<float>(1e-5, 1e-6);

    [Fact]
    public void SoftmaxCrossEntropy_AllRowsIgnored_ZeroLossAndZeroGradient()
    {
        var z = new Var<double>(new CaseGen(1).Normal(2, 3), requiresGrad: true);
        var loss = Ops.SoftmaxCrossEntropy(z, [-100, -100]);
        Assert.Equal(0.0, loss.Value.Span[0]);
        loss.Backward();
        TensorAssert.BitEqual<double>(new double[6], z.Grad!.Span);
    }

    [Fact]
    public void SoftmaxCrossEntropy_MeanIsOverNonIgnoredRows()
    {
        // Two identical rows with target 0; the third row is ignored. Mean = −log softmax(z)[0] of one row.
        var z = new Var<double>(Tensor<double>.FromArray([1.0, 2.0, 1.0, 2.0, 9.0, 9.0], 3, 2));
        var loss = Ops.SoftmaxCrossEntropy(z, [0, 0, -100]);
        Assert.Equal(Math.Log(1 + Math.Exp(1.0)), loss.Value.Span[0], 1e-12);   // −log(e¹ / (e¹ + e²))
    }

    [Fact]
    public void SoftmaxCrossEntropy_TargetOutOfRange_NamesPositionAndValue()
    {
        var z = new Var<double>(Tensor<double>.Zeros(3, 4));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SoftmaxCrossEntropy(z, [1, 4, 0]));
        Assert.Contains("target 4 at position 1", e.Message);
        Assert.Contains("[0, 4)", e.Message);
        var count = Assert.Throws<ArgumentException>(() => Ops.SoftmaxCrossEntropy(z, [1, 2]));
        Assert.Contains("2 targets", count.Message);
    }

    [Fact]
    public void MseLoss_MatchesDefinition_AndNamesShapesOnMismatch()
    {
        var p = new Var<double>(Tensor<double>.FromArray([1.0, 2.0, 4.0], 3));
        var t = new Var<double>(Tensor<double>.FromArray([0.0, 2.0, 1.0], 3));
        Assert.Equal((1.0 + 0.0 + 9.0) / 3, Ops.MseLoss(p, t).Value.Span[0], 1e-15);
        Assert.Equal(10.0, Ops.MseLoss(p, t, Reduction.Sum).Value.Span[0], 1e-15);
        var e = Assert.Throws<ArgumentException>(() => Ops.MseLoss(p, new Var<double>(Tensor<double>.Zeros(1, 3))));
        Assert.Contains("MseLoss", e.Message);
        Assert.Contains("(3)", e.Message);
        Assert.Contains("(1, 3)", e.Message);
    }

    [Fact]
    public void Losses_UndefinedReduction_AreRejectedNamingTheParameter()
    {
        var logits = new Var<double>(Tensor<double>.Zeros(2, 3), requiresGrad: true);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SoftmaxCrossEntropy(logits, [0, 1], (Reduction)42));
        Assert.Equal("reduction", e.ParamName);
        Assert.Contains("SoftmaxCrossEntropy: 42 is not a Reduction", e.Message);
        var w = new Var<double>(Tensor<double>.Zeros(3, 2), requiresGrad: true);
        Assert.Equal("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(logits, w, null, [0, 1], (Reduction)42)).ParamName);
        Assert.Equal("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MseLoss(logits, logits, (Reduction)42)).ParamName);
        Assert.Equal("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MseLoss(logits, logits, Tensor<double>.Ones(2, 3), (Reduction)42)).ParamName);
    }
}
