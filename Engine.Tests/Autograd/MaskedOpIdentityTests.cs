using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Nn;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// Each masked op and loss gives a row of a padded batch (padding full of large garbage) exactly the bits — value,
/// loss and input gradient — that it gives the row alone (B = 1, T = its length), in float and double. The batched
/// gradient is taken from a loss that reads only that row, so other rows contribute exact zeros.
/// </summary>
public class MaskedOpIdentityTests
{
    private static readonly int[] Lengths = [6, 2, 5, 1];
    private const int Steps = 6, F = 3;

    /// <summary>
    /// The weight gradient of a one-output head (x·wᵀ, w of 1 to 3 features, e.g. a per-step regression layer) sums over
    /// rows: from the rows of one sequence alone and from a batch in which only those rows have a gradient, it is the same
    /// bits (a one-row dYᵀ once took the GEMM's dot-product path, whose lanes split the rows by position).
    /// </summary>
    [Fact]
    public void OneOutputHead_WeightGradient_RowsAloneEqualRowsInABatch()
    {
        var rng = new SeededRng(31);
        foreach (int features in new[] { 1, 2, 3 })
            foreach (var (first, count, total) in new[] { (0, 3, 12), (5, 4, 40), (17, 9, 64), (0, 1, 33) })
            {
                double[] x = [.. Enumerable.Range(0, total * features).Select(_ => rng.NextDouble() * 2 - 1)];
                double[] up = [.. Enumerable.Range(0, total).Select(_ => rng.NextDouble() * 2 - 1)];
                double[] w = [.. Enumerable.Range(0, features).Select(_ => rng.NextDouble() - 0.5)];
                double[] Gradient(int from, int rows, bool onlyThose)
                {
                    var weight = new Var<double>(Tensor<double>.FromArray(w, 1, features), requiresGrad: true);
                    var input = new Var<double>(Tensor<double>.FromArray(x[(from * features)..((from + rows) * features)], rows, features));
                    double[] g = [.. Enumerable.Range(from, rows).Select(r => onlyThose && (r < first || r >= first + count) ? 0 : up[r])];
                    var y = Ops.MatMul(input, weight, transposeB: true);                       // (rows, 1)
                    Ops.Sum(y * new Var<double>(Tensor<double>.FromArray(g, rows, 1))).Backward();
                    return weight.Grad!.ToArray();
                }
                Assert.Equal(Gradient(first, count, false), Gradient(0, total, true));
            }
    }

    [Fact] public void Pooling_Float() => Pooling<float>();
    [Fact] public void Pooling_Double() => Pooling<double>();
    [Fact] public void MaskedSoftmax_Float() => MaskedSoftmax<float>();
    [Fact] public void MaskedSoftmax_Double() => MaskedSoftmax<double>();
    [Fact] public void Losses_Float() => Losses<float>();
    [Fact] public void Losses_Double() => Losses<double>();
    [Fact] public void BatchedMatMul_Float() => BatchedMatMul<float>();
    [Fact] public void BatchedMatMul_Double() => BatchedMatMul<double>();

    private static void Pooling<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = PaddedBatchIdentityTests.PaddedInput<T>(Lengths, Steps, F, new SeededRng(21));
        var ops = new (string Name, Func<Var<T>, int[], Var<T>> Op)[]
        {
            ("LastValidStep", Ops.LastValidStep), ("MaskedMean", Ops.MaskedMean), ("MaskedMax", Ops.MaskedMax),
        };
        foreach (var (name, op) in ops)
            for (int b = 0; b < Lengths.Length; b++)
            {
                int len = Lengths[b];
                var (yAlone, gAlone) = RowOutputAndGrad(PaddedBatchIdentityTests.RowOf(x, b, len), v => op(v, [len]));
                var (yPadded, gPadded) = RowOutputAndGrad(x, v => Ops.Slice(op(v, Lengths), 0, b, 1));
                string what = $"{name} {typeof(T).Name} row {b}";
                TensorAssert.BitEqual<T>(yAlone.Span, yPadded.Span, what + " value");
                TensorAssert.BitEqual<T>(gAlone.Span, PaddedBatchIdentityTests.RowOf(gPadded, b, len).Span, what + " gradient");
                AssertZeroOutsideRow(gPadded, b, len, what);
            }
    }

    private static void MaskedSoftmax<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Scores (N, M = 2, S): row n's keys valid up to len_n; as (N, S, M) so PaddedInput pads the key axis, then transposed.
        var scores = Ops.Transpose(new Var<T>(PaddedBatchIdentityTests.PaddedInput<T>(Lengths, Steps, 2, new SeededRng(22))), 1, 2).Value.Clone();
        for (int n = 0; n < Lengths.Length; n++)
        {
            int len = Lengths[n];
            var alone = Tensor<T>.Zeros(1, 2, len);
            for (int m = 0; m < 2; m++)
                scores.Span.Slice((n * 2 + m) * Steps, len).CopyTo(alone.Span.Slice(m * len, len));
            var (yAlone, gAlone) = RowOutputAndGrad(alone, v => Ops.MaskedSoftmax(v, [len]));
            var (yPadded, gPadded) = RowOutputAndGrad(scores, v => Ops.Slice(Ops.Slice(Ops.MaskedSoftmax(v, Lengths), 0, n, 1), 2, 0, len));
            string what = $"MaskedSoftmax {typeof(T).Name} entry {n}";
            TensorAssert.BitEqual<T>(yAlone.Span, yPadded.Span, what + " value");
            for (int m = 0; m < 2; m++)
                TensorAssert.BitEqual<T>(gAlone.Span.Slice(m * len, len), gPadded.Span.Slice((n * 2 + m) * Steps, len), what + " gradient");
            // The other entries and this entry's padded keys get exact zeros (gPadded is (N, 2, S)).
            for (int i = 0; i < gPadded.Length; i++)
                if (i / (2 * Steps) != n || i % Steps >= len)
                    Assert.True(gPadded.Span[i] == T.Zero, $"{what}: gradient {gPadded.Span[i]} at flat index {i} outside the entry's valid keys.");
        }
    }

    private static void Losses<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var p = PaddedBatchIdentityTests.PaddedInput<T>(Lengths, Steps, F, new SeededRng(23));
        var t = PaddedBatchIdentityTests.PaddedInput<T>(Lengths, Steps, F, new SeededRng(24));
        var rng = new SeededRng(25);
        var targets = Enumerable.Range(0, Lengths.Length * Steps).Select(_ => rng.NextInt(F)).ToArray();
        foreach (var reduction in new[] { Reduction.Sum, Reduction.Mean })
            for (int b = 0; b < Lengths.Length; b++)
            {
                int len = Lengths[b];
                string what = $"{typeof(T).Name} {reduction} row {b}";

                // Masked MSE: the row alone under an all-ones mask; in the batch under a mask that keeps only its valid steps.
                var rowMask = Tensor<T>.Zeros(Lengths.Length, Steps);
                rowMask.Span.Slice(b * Steps, len).Fill(T.One);
                var (pa, ta) = (Leaf(PaddedBatchIdentityTests.RowOf(p, b, len)), Leaf(PaddedBatchIdentityTests.RowOf(t, b, len)));
                var mseAlone = Ops.MseLoss(pa, ta, Tensor<T>.Ones(1, len), reduction);
                mseAlone.Backward();
                var (pb, tb) = (Leaf(p), Leaf(t));
                var msePadded = Ops.MseLoss(pb, tb, rowMask, reduction);
                msePadded.Backward();
                TensorAssert.BitEqual<T>(mseAlone.Value.Span, msePadded.Value.Span, "MseLoss masked " + what);
                TensorAssert.BitEqual<T>(pa.Grad!.Span, PaddedBatchIdentityTests.RowOf(pb.Grad!, b, len).Span, "MseLoss ∂p " + what);
                TensorAssert.BitEqual<T>(ta.Grad!.Span, PaddedBatchIdentityTests.RowOf(tb.Grad!, b, len).Span, "MseLoss ∂t " + what);
                AssertZeroOutsideRow(pb.Grad!, b, len, "MseLoss ∂p " + what);
                AssertZeroOutsideRow(tb.Grad!, b, len, "MseLoss ∂t " + what);

                // Cross-entropy: logits (B·T, V); every position but row b's valid steps carries the ignore index.
                var rowTargets = Enumerable.Range(0, targets.Length).Select(i => i / Steps == b && i % Steps < len ? targets[i] : -100).ToArray();
                var za = Leaf(PaddedBatchIdentityTests.RowOf(p, b, len).Reshape(len, F));
                var ceAlone = Ops.SoftmaxCrossEntropy(za, targets[(b * Steps)..(b * Steps + len)], reduction);
                ceAlone.Backward();
                var zb = Leaf(p.Reshape(Lengths.Length * Steps, F));
                var cePadded = Ops.SoftmaxCrossEntropy(zb, rowTargets, reduction);
                cePadded.Backward();
                TensorAssert.BitEqual<T>(ceAlone.Value.Span, cePadded.Value.Span, "SoftmaxCrossEntropy " + what);
                TensorAssert.BitEqual<T>(za.Grad!.Span, zb.Grad!.Span.Slice(b * Steps * F, len * F), "SoftmaxCrossEntropy ∂z " + what);
                AssertZeroOutsideRow(zb.Grad!.Reshape(Lengths.Length, Steps, F), b, len, "SoftmaxCrossEntropy ∂z (ignored rows) " + what);
            }
    }

    private static void BatchedMatMul<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(26);
        var a = Tensor<T>.Normal([5, 7, 9], T.Zero, T.One, rng);
        var b = Tensor<T>.Normal([5, 11, 9], T.Zero, T.One, rng);
        for (int n = 0; n < 5; n++)
        {
            var (aa, ba) = (Leaf(Entry(a, n)), Leaf(Entry(b, n)));
            var (ab, bb) = (Leaf(a), Leaf(b));
            var cAlone = Ops.BatchedMatMul(aa, ba, transposeB: true);
            var cBatch = Ops.Slice(Ops.BatchedMatMul(ab, bb, transposeB: true), 0, n, 1);
            Weighted(cAlone).Backward();
            Weighted(cBatch).Backward();
            string what = $"BatchedMatMul {typeof(T).Name} entry {n}";
            TensorAssert.BitEqual<T>(cAlone.Value.Span, cBatch.Value.Span, what);
            TensorAssert.BitEqual<T>(aa.Grad!.Span, Entry(ab.Grad!, n).Span, what + " ∂A");
            TensorAssert.BitEqual<T>(ba.Grad!.Span, Entry(bb.Grad!, n).Span, what + " ∂B");
            AssertZeroOutsideRow(ab.Grad!, n, a.Dim(1), what + " ∂A of the other entries");
            AssertZeroOutsideRow(bb.Grad!, n, b.Dim(1), what + " ∂B of the other entries");
        }
    }

    /// <summary>f(x) and ∂(Σ f(x) ⊙ W)/∂x for a fixed random W of f(x)'s shape.</summary>
    private static (Tensor<T> Y, Tensor<T> Grad) RowOutputAndGrad<T>(Tensor<T> x, Func<Var<T>, Var<T>> f) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var v = Leaf(x);
        var y = f(v);
        Weighted(y).Backward();
        return (y.Value, v.Grad!);
    }

    private static Var<T> Weighted<T>(Var<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Ops.Sum(y * new Var<T>(Tensor<T>.Normal(y.Value.ShapeArray(), T.Zero, T.One, new SeededRng(27))));

    private static Var<T> Leaf<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(x.Clone(), requiresGrad: true);

    private static Tensor<T> Entry<T>(Tensor<T> x, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        PaddedBatchIdentityTests.RowOf(x, n, x.Dim(1));

    /// <summary>A gradient (B, T, F) is exactly 0 outside row b's valid steps.</summary>
    private static void AssertZeroOutsideRow<T>(Tensor<T> g, int b, int len, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int steps = g.Dim(1), inner = g.Length / (g.Dim(0) * steps);
        for (int i = 0; i < g.Length; i++)
        {
            int row = i / (steps * inner), step = i / inner % steps;
            if (row != b || step >= len) Assert.True(g.Span[i] == T.Zero, $"{what}: gradient {g.Span[i]} at flat index {i} outside the row.");
        }
    }
}
