using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// The ops that take a <see cref="WorkerPool"/> (MatMul, BatchedMatMul, ValidKeyScores, ValidKeyContext, Dropout,
/// LinearCrossEntropy), run on a pool of two threads over generated shapes: each passes the float64 gradient check
/// (eps 1e-6, atol 1e-5, rtol 1e-3), and its output and every input gradient are bit-identical to the same op without a pool.
/// </summary>
public sealed class PooledOpPropertyTests
{
    private static Arbitrary<(int B, int M, int K, int N, int Seed)> Sizes() =>
        (from b in Gen.Choose(1, 4)
         from m in Gen.Choose(1, 7)
         from k in Gen.Choose(1, 7)
         from n in Gen.Choose(1, 7)
         from seed in Gen.Choose(0, 1_000_000)
         select (b, m, k, n, seed)).ToArbitrary();

    [Fact]
    public void PooledOps_PassGradientCheck_AndEqualTheUnpooledOpBitForBit_ForGeneratedShapes()
    {
        using var pool = new WorkerPool(2);
        int ran = 0;
        Check.One(FsCheckReplay.Fixed(20261212, 12), Prop.ForAll(Sizes(), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            var (b, m, k, n) = (c.B, c.M, c.K, c.N);
            bool ta = (c.Seed & 1) != 0, tb = (c.Seed & 2) != 0;
            int[] aShape = ta ? [k, m] : [m, k], bShape = tb ? [n, k] : [k, n];
            var lengths = Enumerable.Range(0, b).Select(_ => gen.Rng.NextInt(k + 1)).ToArray();
            var targets = Enumerable.Range(0, m).Select(_ => gen.Rng.NextInt(n)).ToArray();
            var cases = new (string Name, Func<Var<double>[], WorkerPool?, Var<double>> F, Tensor<double>[] Inputs)[]
            {
                ("MatMul", (v, p) => Ops.MatMul(v[0], v[1], ta, tb, p), [gen.Normal(aShape), gen.Normal(bShape)]),
                ("BatchedMatMul", (v, p) => Ops.BatchedMatMul(v[0], v[1], ta, tb, p), [gen.Normal([b, .. aShape]), gen.Normal([b, .. bShape])]),
                ("ValidKeyScores", (v, p) => Ops.ValidKeyScores(v[0], v[1], lengths, p), [gen.Normal(b, m, n), gen.Normal(b, k, n)]),
                ("ValidKeyContext", (v, p) => Ops.ValidKeyContext(v[0], v[1], lengths, p), [gen.Normal(b, m, k), gen.Normal(b, k, n)]),
                ("Dropout", (v, p) => Ops.Dropout(v[0], 0.3, training: true, new SeededRng(5), p), [gen.Normal(b, m, n)]),
                ("LinearCrossEntropy", (v, p) => Ops.LinearCrossEntropy(v[0], v[1], v[2], targets, Reduction.Mean, pool: p),
                    [gen.Normal(m, k), gen.Normal(n, k), gen.Normal(n)]),
            };
            foreach (var (name, f, inputs) in cases)
            {
                string what = $"{name} on {string.Join(", ", inputs.Select(t => t.ShapeString))}, lengths [{string.Join(",", lengths)}]";
                Assert.True(GradientCheck.Check(v => f(v, pool), inputs).Passed, what);
                var upstream = Tensor<double>.Normal(f(inputs.Select(t => new Var<double>(t)).ToArray(), null).Value.ShapeArray(), 0, 1, gen.Rng);
                var (y0, g0) = Run(f, inputs, null, upstream);
                var (y1, g1) = Run(f, inputs, pool, upstream);
                TensorAssert.BitEqual<double>(y0.Span, y1.Span, $"{what}: output");
                for (int j = 0; j < g0.Length; j++) TensorAssert.BitEqual<double>(g0[j].Span, g1[j].Span, $"{what}: gradient of input {j}");
            }
        }));
        Assert.Equal(12, ran);   // every generated case ran: a property over nothing cannot pass
    }

    private static (Tensor<double> Y, Tensor<double>[] Grads) Run(Func<Var<double>[], WorkerPool?, Var<double>> f, Tensor<double>[] inputs,
        WorkerPool? pool, Tensor<double> upstream)
    {
        var leaves = inputs.Select(t => new Var<double>(t.Clone(), requiresGrad: true)).ToArray();
        var y = f(leaves, pool);
        y.Backward(upstream);
        return (y.Value, leaves.Select(l => l.Grad!).ToArray());
    }
}
