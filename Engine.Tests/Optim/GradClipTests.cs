using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

public class GradClipTests
{
    private static Var<float> Param(string name, float[] grad)
    {
        var v = new Var<float>(Tensor<float>.Zeros(grad.Length), requiresGrad: true, name: name);
        v.Grad = Tensor<float>.FromArray((float[])grad.Clone(), grad.Length);
        return v;
    }

    [Fact]
    public void ClipGradNorm_AboveThreshold_ScalesToThreshold()
    {
        // ‖(3, 4, 0, 12)‖₂ = 13 over both parameters together.
        var a = Param("a", [3, 4]);
        var b = Param("b", [0, 12]);
        var r = GradClip.ClipGradNorm([a, b], maxNorm: 1.3);
        Assert.Equal(13.0, r.TotalNorm, 5);
        Assert.True(r.Clipped);
        double c = 1.3 / (13 + 1e-6);
        TensorAssert.AllClose<float>([(float)(3 * c), (float)(4 * c)], a.Grad!.Span, 1e-6, 0);
        TensorAssert.AllClose<float>([0, (float)(12 * c)], b.Grad!.Span, 1e-6, 0);
        Assert.Equal(1.3, GradClip.GlobalNorm([a, b]), 5);
    }

    [Fact]
    public void ClipGradNorm_BelowThreshold_LeavesGradientsUnchanged()
    {
        // ‖g‖ = 0.5; at maxNorm = 0.5 the coefficient 0.5 / (0.5 + 1e-6) is still < 1, so use a larger bound.
        var a = Param("a", [0.3f, -0.4f]);
        var r = GradClip.ClipGradNorm([a], maxNorm: 0.6);
        Assert.False(r.Clipped);
        Assert.Equal(1.0, r.Scale);
        TensorAssert.BitEqual<float>([0.3f, -0.4f], a.Grad!.Span);
    }

    [Fact]
    public void ClipGradNorm_InfNorm_UsesLargestMagnitude()
    {
        var a = Param("a", [1, -5]);
        var b = Param("b", [2]);
        var r = GradClip.ClipGradNorm([a, b], maxNorm: 1, normType: double.PositiveInfinity);
        Assert.Equal(5.0, r.TotalNorm);
        double c = 1 / (5 + 1e-6);
        TensorAssert.AllClose<float>([(float)c, (float)(-5 * c)], a.Grad!.Span, 1e-6, 0);
        TensorAssert.AllClose<float>([(float)(2 * c)], b.Grad!.Span, 1e-6, 0);
    }

    [Fact]
    public void ClipGradNorm_OneNorm_SumsMagnitudes()
    {
        var a = Param("a", [1, -2]);
        var b = Param("b", [3]);
        Assert.Equal(6.0, GradClip.ClipGradNorm([a, b], maxNorm: 100, normType: 1).TotalNorm);
        Assert.Equal(Math.Pow(1 + 8 + 27, 1 / 3.0), GradClip.GlobalNorm([a, b], 3), 12);
    }

    [Fact]
    public void ClipGradNorm_NonFinite_ThrowsNamingTheParameter()
    {
        var a = Param("embedding.weight", [1, 2]);
        var b = Param("lstm.weight_hh", [1, float.NaN]);
        var e = Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a, b], 1.0, errorIfNonFinite: true));
        Assert.Contains("lstm.weight_hh", e.Message);
        Assert.DoesNotContain("embedding.weight", e.Message);
        Assert.Equal("parameters", e.ParamName);
        TensorAssert.BitEqual<float>([1, 2], a.Grad!.Span);
    }

    [Fact]
    public void ClipGradNorm_NonFinite_ReportsAndNeverScalesIntoNaN()
    {
        var a = Param("a", [1, 2]);
        var b = Param("b", [float.PositiveInfinity, 0]);
        var r = GradClip.ClipGradNorm([a, b], 1.0);
        Assert.False(r.IsFinite);
        Assert.False(r.Clipped);
        Assert.Equal("b", r.NonFiniteParameter);
        TensorAssert.BitEqual<float>([1, 2], a.Grad!.Span);
    }

    [Fact]
    public void ClipGradNorm_NullGrad_IsSkipped()
    {
        var a = Param("a", [3, 4]);
        var frozen = new Var<float>(Tensor<float>.Ones(3), requiresGrad: true, name: "frozen");
        var r = GradClip.ClipGradNorm([frozen, a], 2.5);
        Assert.Equal(5.0, r.TotalNorm, 6);
        Assert.Null(frozen.Grad);
        Assert.Equal(0.0, GradClip.ClipGradNorm([frozen], 1.0).TotalNorm);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(double.PositiveInfinity)]
    public void GlobalNorm_MatchesDoubleReference_AcrossChunkSizes(double normType)
    {
        var rng = new SeededRng(8);
        foreach (int n in new[] { 0, 1, 7, 4095, 4096, 4097, 10_000 })
        {
            var a = Param("a", Enumerable.Range(0, n).Select(_ => (float)rng.NextNormal()).ToArray());
            var b = Param("b", [0.5f, -3f]);
            var all = a.Grad!.ToArray().Concat(b.Grad!.ToArray()).Select(x => Math.Abs((double)x)).ToArray();
            double expected = double.IsPositiveInfinity(normType) ? all.Max() : Math.Pow(all.Sum(x => Math.Pow(x, normType)), 1 / normType);
            Assert.Equal(expected, GradClip.GlobalNorm([a, b], normType), 1e-5 * expected);
        }
    }

    [Fact]
    public void GlobalNorm_HugeButFiniteGradients_DoNotOverflow()
    {
        // 1e30² overflows float but not double: the norm must be finite and exact.
        var a = Param("a", [1e30f, 1e30f]);
        Assert.Equal(Math.Sqrt(2) * 1e30f, GradClip.GlobalNorm([a]), 1e18);
        Assert.True(GradClip.ClipGradNorm([a], 1.0).Clipped);
    }

    [Fact]
    public void ClipGradValue_ClampsEachElement()
    {
        var a = Param("a", [-3, 0.5f, 2, float.NaN]);
        GradClip.ClipGradValue([a], 1.0);
        TensorAssert.BitEqual<float>([-1, 0.5f, 1, float.NaN], a.Grad!.Span);
    }

    // PyTorch's clip_grad_norm_(model.parameters(), max_norm): a module's Parameters() is a lazy sequence, not a list.
    [Fact]
    public void ClipGradNormAndValue_OfModuleParameters_AsOfTheSameList()
    {
        var rng = new SeededRng(4);
        Linear<float> Layer()
        {
            var layer = new Linear<float>(3, 2, new SeededRng(1));
            foreach (var p in layer.Parameters()) p.Grad = Tensor<float>.Uniform(p.Value.ShapeArray(), -4f, 4f, rng);
            return layer;
        }
        var (byModule, byList) = (Layer(), Layer());
        foreach (var (m, l) in byModule.Parameters().Zip(byList.Parameters())) l.Grad = m.Grad!.Clone();

        var r = GradClip.ClipGradNorm(byModule.Parameters(), maxNorm: 1.0);
        Assert.Equal(GradClip.ClipGradNorm(byList.Parameters().ToList(), maxNorm: 1.0), r);
        Assert.True(r.Clipped);
        GradClip.ClipGradValue(byModule.Parameters(), 0.1);
        GradClip.ClipGradValue(byList.Parameters().ToList(), 0.1);
        foreach (var (m, l) in byModule.Parameters().Zip(byList.Parameters())) TensorAssert.BitEqual<float>(l.Grad!.Span, m.Grad!.Span);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => GradClip.ClipGradNorm((IEnumerable<Var<float>>)null!, 1.0)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => GradClip.ClipGradValue((IEnumerable<Var<float>>)null!, 1.0)).ParamName);
    }

    [Fact]
    public void NullParameter_IsAnArgumentExceptionNamingItsIndex()
    {
        Var<float>[] ps = [Param("a", [1f]), null!];
        Assert.Contains("ClipGradNorm: parameter 1 is null", Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm(ps, 1)).Message);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => GradClip.GlobalNorm(ps)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue(ps, 1)).ParamName);
    }

    [Fact]
    public void SameVarTwice_IsRejectedBeforeAnyGradientChanges()
    {
        var v = Param("v", [3f, 4f]);
        var e = Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([v, v], 1));
        Assert.Contains("parameter 1 (v) is the same Var as parameter 0", e.Message);
        Assert.Equal([3f, 4f], v.Grad!.ToArray());
        Assert.Throws<ArgumentException>(() => GradClip.GlobalNorm([v, v]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-2.0)]
    [InlineData(double.NaN)]
    public void GlobalNorm_NormTypeNotPositive_IsRejected(double normType)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.GlobalNorm([Param("a", [1f, 1f])], normType));
        Assert.Equal("normType", e.ParamName);
        Assert.Contains("GlobalNorm: normType must be positive", e.Message);
    }
}

public class GradClipPoolTests
{
    private static Var<float>[] Parameters(SeededRng rng, params int[] sizes) => sizes.Select((n, i) =>
    {
        var v = new Var<float>(Tensor<float>.Zeros(Math.Max(n, 0)), requiresGrad: true, name: $"p{i}");
        if (n >= 0) v.Grad = Tensor<float>.FromArray(Enumerable.Range(0, n).Select(_ => (float)(3 * rng.NextNormal())).ToArray(), n);
        return v;
    }).ToArray();

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(double.PositiveInfinity)]
    public void GlobalNorm_OnAPool_BitIdenticalToOneThread(double normType)
    {
        // A parameter without a gradient (-1), an empty one, odd sizes across parts (4,096) and work items (32,768).
        int[] sizes = [70_001, -1, 0, 4097, 1, 32_768, 200_003];
        using var two = new WorkerPool(2);
        using var three = new WorkerPool(3);
        var ps = Parameters(new SeededRng(2), sizes);
        double expected = GradClip.GlobalNorm(ps, normType);
        Assert.Equal(expected, GradClip.GlobalNorm(ps, normType, two));
        Assert.Equal(expected, GradClip.GlobalNorm(ps, normType, three));
    }

    [Fact]
    public void GlobalNorm_OnAPool_NaNAndOverflow_AsOnOneThread()
    {
        using var pool = new WorkerPool(2);
        var ps = Parameters(new SeededRng(3), 50_000, 9_000);
        ps[1].Grad!.Span[8_999] = float.NaN;
        Assert.True(double.IsNaN(GradClip.GlobalNorm(ps, 2, pool)));
        var huge = Parameters(new SeededRng(4), 40_000);
        huge[0].Grad!.Span[39_000] = 1e30f;            // its square overflows float: that part is redone in double
        Assert.Equal(GradClip.GlobalNorm(huge, 2), GradClip.GlobalNorm(huge, 2, pool));
        Assert.True(double.IsFinite(GradClip.GlobalNorm(huge, 2, pool)));
    }

    [Fact]
    public void ClipGradNorm_OnAPool_SameScaledGradients()
    {
        using var pool = new WorkerPool(2);
        var a = Parameters(new SeededRng(5), 100_003, 17, 65_536);
        var b = Parameters(new SeededRng(5), 100_003, 17, 65_536);
        var ra = GradClip.ClipGradNorm(a, 1.0);
        var rb = GradClip.ClipGradNorm(b, 1.0, pool);
        Assert.True(ra.Clipped);
        Assert.Equal(ra, rb);
        for (int i = 0; i < a.Length; i++) TensorAssert.BitEqual<float>(a[i].Grad!.Span, b[i].Grad!.Span, a[i].Name);
    }

    [Fact]
    public void ZeroGrad_OnAPool_ZeroesEveryGradient()
    {
        using var pool = new WorkerPool(2);
        var ps = Parameters(new SeededRng(6), 100_001, -1, 3, 0);
        var opt = new Adam<float>(ps, 1e-3) { Pool = pool };
        var before = ps.Select(p => p.Grad).ToArray();
        Assert.True(before[0]!.ToArray().Any(v => v != 0f), "nothing to zero");
        opt.ZeroGrad();
        Assert.Null(ps[1].Grad);
        // Buffers are kept (Optimizer.ZeroGrad's contract, PyTorch 1.13's default) and zeroed: every parameter that had a
        // gradient still holds the same buffer, all zeros, so a ZeroGrad that dropped them (Grad = null) fails here too.
        foreach (int i in new[] { 0, 2, 3 })
        {
            Assert.Same(before[i], ps[i].Grad);
            Assert.All(ps[i].Grad!.ToArray(), v => Assert.Equal(0f, v));
        }
    }
}
