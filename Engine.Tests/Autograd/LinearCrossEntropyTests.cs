using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>The fused decoder + cross-entropy against MatMul + Add + SoftmaxCrossEntropy, its thread-count determinism and its errors.</summary>
public class LinearCrossEntropyTests
{
    private sealed record Case(Tensor<double> X, Tensor<double> W, Tensor<double> B, int[] Targets, Reduction Reduction, bool Bias, double Upstream, double Epsilon = 0);

    private static IEnumerable<Case> Cases()
    {
        var gen = new CaseGen(4242);
        int[] sizes = [1, 7, 17, 33, 257];
        for (int c = 0; c < 10; c++)
        {
            int n = sizes[gen.Rng.NextInt(sizes.Length)], h = gen.Size() + 1, v = sizes[gen.Rng.NextInt(sizes.Length)];
            var targets = Enumerable.Range(0, n).Select(_ => gen.Rng.NextInt(v)).ToArray();
            if (n > 1) targets[gen.Rng.NextInt(n)] = -100;
            if (c >= 7) for (int r = 0; r < n; r++) if (c == 9 || gen.Rng.NextInt(2) == 0) targets[r] = -100;   // half, then all rows padding
            yield return new(gen.Normal(n, h), gen.Normal(v, h), gen.Normal(v), targets,
                c % 2 == 0 ? Reduction.Mean : Reduction.Sum, c % 3 != 2, 0.5 + c, Epsilon: c % 4 == 1 ? 0.1 : c % 4 == 3 ? 1 : 0);
        }
    }

    private static (Tensor<T> Loss, Tensor<T> Gx, Tensor<T> Gw, Tensor<T>? Gb) Run<T>(Case c, bool fused, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = new Var<T>(c.X.Cast<T>(), requiresGrad: true);
        var w = new Var<T>(c.W.Cast<T>(), requiresGrad: true);
        var b = new Var<T>(c.B.Cast<T>(), requiresGrad: true);
        Var<T> loss;
        if (fused)
        {
            loss = Ops.LinearCrossEntropy(x, w, c.Bias ? b : null, c.Targets, c.Reduction, pool: pool, labelSmoothing: c.Epsilon);
        }
        else
        {
            var z = Ops.MatMul(x, w, transposeB: true);
            loss = Ops.SoftmaxCrossEntropy(c.Bias ? z + b : z, c.Targets, c.Reduction, labelSmoothing: c.Epsilon);
        }
        var scaled = loss * T.CreateTruncating(c.Upstream);                      // upstream ∂L/∂loss ≠ 1
        scaled.Backward();
        return (loss.Value, x.Grad!, w.Grad!, c.Bias ? b.Grad! : null);
    }

    private static void FusedEqualsComposed<T>(double rtol, double atol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var pool = new WorkerPool(2);
        int k = 0;
        foreach (var c in Cases())
        {
            string what = $"case {k++} x {c.X.ShapeString} W {c.W.ShapeString} {c.Reduction} bias {c.Bias} ε {c.Epsilon}";
            var composed = Run<T>(c, fused: false, pool: null);
            var fused = Run<T>(c, fused: true, pool: pool);
            TensorAssert.AllClose(composed.Loss, fused.Loss, rtol, atol, what + " loss");
            TensorAssert.AllClose(composed.Gx, fused.Gx, rtol, atol, what + " ∂x");
            TensorAssert.AllClose(composed.Gw, fused.Gw, rtol, atol, what + " ∂W");
            if (c.Bias) TensorAssert.AllClose(composed.Gb!, fused.Gb!, rtol, atol, what + " ∂b");
        }
    }

    [Fact]
    public void LinearCrossEntropy_FusedEqualsComposed_Double() => FusedEqualsComposed<double>(1e-10, 1e-12);

    [Fact]
    public void LinearCrossEntropy_FusedEqualsComposed_Float() => FusedEqualsComposed<float>(1e-4, 1e-5);

    [Fact]
    public void LinearCrossEntropy_OneOrTwoThreads_BitIdentical()
    {
        using var one = new WorkerPool(1);
        using var two = new WorkerPool(2);
        var gen = new CaseGen(9);
        var wide = new Case(gen.Normal(40, 9), gen.Normal(2500, 9), gen.Normal(2500),
            Enumerable.Range(0, 40).Select(_ => gen.Rng.NextInt(2500)).ToArray(), Reduction.Mean, true, 1.5);   // > 1 row and column item
        foreach (var c in Cases().Where(c => c.X.Dim(0) >= 33).Append(wide))
        {
            var a = Run<float>(c, fused: true, pool: one);
            var b = Run<float>(c, fused: true, pool: two);
            var n = Run<float>(c, fused: true, pool: null);
            foreach (var other in new[] { b, n })
            {
                TensorAssert.BitEqual<float>(a.Loss.Span, other.Loss.Span, "loss");
                TensorAssert.BitEqual<float>(a.Gx.Span, other.Gx.Span, "∂x");
                TensorAssert.BitEqual<float>(a.Gw.Span, other.Gw.Span, "∂W");
                if (c.Bias) TensorAssert.BitEqual<float>(a.Gb!.Span, other.Gb!.Span, "∂b");
            }
        }
    }

    [Fact]
    public void LinearCrossEntropy_PaddingRows_SameAsWithoutThemAndZeroGradient()
    {
        // Rows with the ignored target change nothing: the loss and ∂W, ∂b equal those of the counted rows alone, their
        // own ∂x rows stay 0, and the counted rows' ∂x equal the unpadded op's.
        var gen = new CaseGen(77);
        int n = 23, h = 6, v = 19;
        var x = gen.Normal(n, h);
        var targets = Enumerable.Range(0, n).Select(r => r % 3 == 1 ? -100 : gen.Rng.NextInt(v)).ToArray();
        int[] kept = [.. Enumerable.Range(0, n).Where(r => targets[r] != -100)];
        var xKept = Tensor<double>.FromArray([.. kept.SelectMany(r => x.Span.Slice(r * h, h).ToArray())], kept.Length, h);
        var (w, b) = (gen.Normal(v, h), gen.Normal(v));
        var padded = Run<double>(new Case(x, w, b, targets, Reduction.Mean, true, 1.5, 0.1), fused: true, pool: null);
        var alone = Run<double>(new Case(xKept, w, b, [.. kept.Select(r => targets[r])], Reduction.Mean, true, 1.5, 0.1), fused: true, pool: null);
        TensorAssert.AllClose(alone.Loss, padded.Loss, 1e-12, 1e-14, "loss");
        TensorAssert.AllClose(alone.Gw, padded.Gw, 1e-12, 1e-14, "∂W");
        TensorAssert.AllClose(alone.Gb!, padded.Gb!, 1e-12, 1e-14, "∂b");
        for (int r = 0, i = 0; r < n; r++)
        {
            var row = padded.Gx.Span.Slice(r * h, h);
            if (targets[r] == -100) Assert.All(row.ToArray(), g => Assert.Equal(0.0, g));
            else TensorAssert.AllClose<double>(alone.Gx.Span.Slice(i++ * h, h), row, 1e-12, 1e-14, $"∂x row {r}");
        }
    }

    [Fact]
    public void LinearCrossEntropy_NoGrad_SameLossAndNoGraph()
    {
        var c = Cases().First(c => c.Bias);
        var x = new Var<double>(c.X, requiresGrad: true);
        var w = new Var<double>(c.W, requiresGrad: true);
        var b = new Var<double>(c.B, requiresGrad: true);
        var tracked = Ops.LinearCrossEntropy(x, w, b, c.Targets, c.Reduction);
        Var<double> untracked;
        using (new NoGradScope()) untracked = Ops.LinearCrossEntropy(x, w, b, c.Targets, c.Reduction);
        TensorAssert.BitEqual<double>(tracked.Value.Span, untracked.Value.Span, "loss");
        Assert.Null(untracked.Creator);
        Assert.False(untracked.RequiresGrad);
    }

    [Fact]
    public void LinearCrossEntropy_LargeLogits_Finite()
    {
        // Logits of ±1e4: the row max is subtracted before exp, so the loss and gradient stay finite.
        var x = new Var<float>(Tensor<float>.FromArray([100f, -100f], 1, 2), requiresGrad: true);
        var w = new Var<float>(Tensor<float>.FromArray([100f, 0f, -100f, 0f, 0f, 100f], 3, 2), requiresGrad: true);
        var loss = Ops.LinearCrossEntropy(x, w, null, [1]);
        loss.Backward();
        Assert.Equal(2e4f, loss.Value.Span[0], 1e-2f);                          // z = (1e4, −1e4, −1e4): ℓ = log Σ exp z − z₁ ≈ 1e4 + 1e4
        Assert.All(w.Grad!.Span.ToArray(), g => Assert.True(float.IsFinite(g)));
        // Finite is not enough (a zeroed gradient is finite): p = softmax z = (1, 0, 0) to float precision, so
        // ∂ℓ/∂z = p − onehot(1) = (1, −1, 0), ∂W = (p − y)ᵀx = ((100, −100), (−100, 100), (0, 0)), ∂x = W₀ − W₁ = (200, 0).
        TensorAssert.AllClose(Tensor<float>.FromArray([100f, -100f, -100f, 100f, 0f, 0f], 3, 2), w.Grad!, rtol: 1e-6, atol: 1e-6, what: "∂W");
        TensorAssert.AllClose(Tensor<float>.FromArray([200f, 0f], 1, 2), x.Grad!, rtol: 1e-6, atol: 1e-6, what: "∂x");
    }

    [Fact]
    public void LinearCrossEntropy_BadShapesAndTargets_NameOpAndShapes()
    {
        var x = new Var<double>(Tensor<double>.Zeros(3, 4));
        var w = new Var<double>(Tensor<double>.Zeros(5, 2));
        var inner = Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w, null, [0, 1, 2]));
        Assert.Contains("LinearCrossEntropy", inner.Message);
        Assert.Contains("(3, 4)", inner.Message);
        Assert.Contains("(5, 2)", inner.Message);
        var w4 = new Var<double>(Tensor<double>.Zeros(5, 4));
        var bias = Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w4, new Var<double>(Tensor<double>.Zeros(4)), [0, 1, 2]));
        Assert.Contains("(4)", bias.Message);
        var target = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(x, w4, null, [0, 5, 2]));
        Assert.Contains("target 5 at position 1", target.Message);
        var count = Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w4, null, [0, 1]));
        Assert.Contains("2 targets", count.Message);
    }

    [Theory]
    [InlineData(65536, 32768)]    // every row counted: C·V = N·V = 2³¹, one above int.MaxValue
    [InlineData(100000, 50000)]   // C·V = 5·10⁹, whose low 32 bits are a positive int (705 032 704)
    public void LinearCrossEntropy_LogitsPastOneArray_NameOpAndShapesBeforeAllocating(int n, int v)
    {
        var x = new Var<float>(Tensor<float>.Zeros(n, 1));
        var w = new Var<float>(Tensor<float>.Zeros(v, 1));
        var targets = new int[n];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w, null, targets));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "refused before the logits were allocated");
        Assert.Contains("LinearCrossEntropy", e.Message);
        Assert.Contains($"({n}, 1)", e.Message);
        Assert.Contains($"({v}, 1)", e.Message);
        Assert.Contains($"C·V = {n}·{v} = {(long)n * v} values exceed one array", e.Message);
    }

    [Fact]
    public void LinearCrossEntropy_PaddingRowsPastOneArray_CountedLogitsFit()
    {
        // N·V = 65536·32768 = 2³¹ is past one array, but only C = 2 rows are counted: the (C, V) logits fit. W = 0
        // gives uniform probabilities, so each counted row's loss is log V.
        const int n = 65536, v = 32768;
        var x = new Var<float>(Tensor<float>.Zeros(n, 1));
        var w = new Var<float>(Tensor<float>.Zeros(v, 1));
        var targets = Enumerable.Repeat(-100, n).ToArray();
        (targets[0], targets[n - 1]) = (3, v - 1);
        var loss = Ops.LinearCrossEntropy(x, w, null, targets);
        Assert.Equal(MathF.Log(v), loss.Value.Span[0], 1e-4f);
    }

    [Fact]
    public void LabelSmoothing_MatchesPyTorchValues()
    {
        // torch.nn.functional.cross_entropy(z, t, label_smoothing=0.3), PyTorch 1.13, float64: 2.1076059644443803 with
        // targets (0, −100) and 1.3994586305507686 with (0, 2). Row 0 by hand: log(e + e² + e³) − 0.7·1 − 0.3·2.
        var z = Tensor<double>.FromArray([1, 2, 3, 0.5, -1, 2], 2, 3);
        var identity = new Var<double>(Tensor<double>.FromArray([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3));
        foreach (var (targets, expected) in new[] { (new[] { 0, -100 }, 2.1076059644443803), (new[] { 0, 2 }, 1.3994586305507686) })
        {
            Assert.Equal(expected, Ops.SoftmaxCrossEntropy(new Var<double>(z), targets, labelSmoothing: 0.3).Value.Span[0], 12);
            Assert.Equal(expected, Ops.LinearCrossEntropy(new Var<double>(z), identity, null, targets, labelSmoothing: 0.3).Value.Span[0], 12);
        }
    }

    [Fact]
    public void LabelSmoothing_OutsideZeroOne_NamesOpAndValue()
    {
        var z = new Var<double>(Tensor<double>.Zeros(2, 3));
        foreach (double bad in new[] { -0.1, 1.5, double.NaN })
        {
            var soft = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SoftmaxCrossEntropy(z, [0, 1], labelSmoothing: bad));
            Assert.Contains("SoftmaxCrossEntropy: label smoothing", soft.Message);
            var fused = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(z, new Var<double>(Tensor<double>.Zeros(3, 3)), null, [0, 1], labelSmoothing: bad));
            Assert.Contains("LinearCrossEntropy: label smoothing", fused.Message);
        }
    }
}
