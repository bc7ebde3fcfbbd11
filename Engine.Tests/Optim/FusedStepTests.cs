using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// <see cref="Optimizer{T}.Step(double, bool)"/> against its definition: scale the gradients in place, <c>Step()</c>, <c>ZeroGrad()</c>.
/// </summary>
public class FusedStepTests
{
    // Sizes around the 32,768-element chunks of the pooled Adam update, an odd tail, and a parameter without a gradient.
    private static readonly int[] Sizes = [70_001, 33, 1, 5];

    private static Var<T>[] Parameters<T>(ulong seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        return [.. Sizes.Select((n, i) => new Var<T>(Tensor<T>.FromArray([.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5))], n),
            requiresGrad: true, name: $"p{i}"))];
    }

    private static void SetGradients<T>(Var<T>[] ps, ulong seed, int step) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed * 31 + (ulong)step);
        for (int i = 0; i < ps.Length - 1; i++)                                  // the last parameter never gets a gradient
        {
            ps[i].Grad ??= Tensor<T>.Zeros(ps[i].Value.Length);
            var g = ps[i].Grad!.Span;
            for (int j = 0; j < g.Length; j++) g[j] += T.CreateTruncating(3 * (rng.NextDouble() - 0.5));   // accumulate onto the zeroed buffer
        }
    }

    private static void CheckFusedEqualsDefinition<T>(Func<Var<T>[], Optimizer<T>> make, WorkerPool? pool, double[] scales)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Var<T>[] a = Parameters<T>(5), b = Parameters<T>(5);
        var (optA, optB) = (make(a), make(b));
        (optA.Pool, optB.Pool) = (pool, pool);
        for (int step = 0; step < scales.Length; step++)
        {
            SetGradients(a, 9, step);
            SetGradients(b, 9, step);
            T s = T.CreateTruncating(scales[step]);
            foreach (var p in a)
                if (p.Grad is { } g) TensorPrimitives.Multiply(g.Span, s, g.Span);   // the definition: scale in place,
            optA.Step();                                                                 // step,
            optA.ZeroGrad();                                                             // zero
            optB.Step(scales[step], zeroGradients: true);
            for (int i = 0; i < a.Length; i++)
            {
                TensorAssert.BitEqual<T>(a[i].Value.Span, b[i].Value.Span);
                if (a[i].Grad is null) Assert.Null(b[i].Grad);
                else TensorAssert.BitEqual<T>(a[i].Grad!.Span, b[i].Grad!.Span);   // all zero
            }
        }
        Assert.All(b.Where(p => p.Grad is not null), p => Assert.True(TensorPrimitives.MaxMagnitude<T>(p.Grad!.Span) == T.Zero));
    }

    [Fact]
    public void Step_ScaledAndZeroing_IsBitIdenticalToScaleStepZero()
    {
        double[] scales = [1, 0.37, 1e-3, 0, 0.999999];
        using var pool = new WorkerPool(2);
        foreach (var p in new[] { null, pool })
        {
            CheckFusedEqualsDefinition<float>(ps => new Adam<float>(ps, 2e-3, weightDecay: 0.01), p, scales);
            CheckFusedEqualsDefinition<double>(ps => new Adam<double>(ps, 2e-3), p, scales);
            CheckFusedEqualsDefinition<float>(ps => new AdamW<float>(ps, 2e-3, weightDecay: 0.05), p, scales);
            CheckFusedEqualsDefinition<float>(ps => new Sgd<float>(ps, 0.1, momentum: 0.9), p, scales);
        }
    }

    [Fact]
    public void Step_WithoutZeroing_KeepsTheUnscaledGradients()
    {
        var ps = Parameters<float>(7);
        SetGradients(ps, 3, 0);
        var before = ps[0].Grad!.Span.ToArray();
        new Adam<float>(ps).Step(0.5, zeroGradients: false);
        TensorAssert.BitEqual<float>(before, ps[0].Grad!.Span);
    }

    [Fact]
    public void Step_BadScale_ThrowsNamingTheOptimizer()
    {
        var ps = Parameters<float>(1);
        foreach (double s in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<float>(ps).Step(s, zeroGradients: true));
            Assert.Contains("AdamW", ex.Message);
        }
    }

    [Fact]
    public void MeasureGradNorm_GivesClipGradNormsResult_AndLeavesGradientsUnchanged()
    {
        foreach (double maxNorm in new[] { 0.5, 1e6 })
        {
            Var<float>[] a = Parameters<float>(11), b = Parameters<float>(11);
            SetGradients(a, 4, 0);
            SetGradients(b, 4, 0);
            var before = b[0].Grad!.Span.ToArray();
            var clipped = GradClip.ClipGradNorm(a, maxNorm);
            var measured = GradClip.MeasureGradNorm(b, maxNorm, pool: null);
            Assert.Equal(clipped, measured);
            TensorAssert.BitEqual<float>(before, b[0].Grad!.Span);
        }
    }
}
