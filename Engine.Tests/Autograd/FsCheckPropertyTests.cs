using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// FsCheck properties over generated shapes, with a fixed replay seed so every run checks the same cases
/// (and a failure shrinks to a small shape).
/// </summary>
public class FsCheckPropertyTests
{
    private static Config Fixed(ulong seed, int tests) =>
        Config.QuickThrowOnFailure
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)))
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true);

    /// <summary>Shapes (rows, cols, inner) with sizes in [1, 6].</summary>
    private static Arbitrary<(int M, int K, int N, int Seed)> Sizes() =>
        (from m in Gen.Choose(1, 6)
         from k in Gen.Choose(1, 6)
         from n in Gen.Choose(1, 6)
         from s in Gen.Choose(0, 1_000_000)
         select (m, k, n, s)).ToArbitrary();

    [Fact]
    public void Linear_Tanh_Softmax_PassesGradientCheck_ForGeneratedShapes()
    {
        int ran = 0;
        var property = Prop.ForAll(Sizes(), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            // y = softmax(tanh(x Wᵀ + b)): x (M, K), W (N, K), b (N).
            var result = GradientCheck.Check(v => Ops.Softmax(Ops.Tanh(Ops.MatMul(v[0], v[1], transposeB: true) + v[2])),
                gen.Normal(c.M, c.K), gen.Normal(c.N, c.K), gen.Normal(c.N));
            return result.Passed;
        });
        Check.One(Fixed(20261122, 40), property);
        Assert.Equal(40, ran);   // every generated case ran: a property over nothing cannot pass
    }

    /// <summary>Four axis sizes in [<paramref name="min"/>, 4] (the attention ops' B, U, S, A) and a value seed.</summary>
    private static Arbitrary<(int B, int U, int S, int A, int Seed)> FourSizes(int min) =>
        (from b in Gen.Choose(min, 4)
         from u in Gen.Choose(min, 4)
         from s in Gen.Choose(min, 4)
         from a in Gen.Choose(min, 4)
         from seed in Gen.Choose(0, 1_000_000)
         select (b, u, s, a, seed)).ToArbitrary();

    /// <summary>One length per row, each in [<paramref name="min"/>, <paramref name="steps"/>].</summary>
    private static int[] Lengths(CaseGen gen, int rows, int steps, int min = 0)
    {
        var lengths = new int[rows];
        for (int r = 0; r < rows; r++) lengths[r] = min + gen.Rng.NextInt(steps - min + 1);
        return lengths;
    }

    [Fact]
    public void AdditiveScores_PassesGradientCheck_ForGeneratedShapes()
    {
        // e[b, u, s] = Σₐ vₐ tanh(k[b, s, a] + q[b, u, a]): keys (B, S, A), queries (B, U, A), v (A), all three checked.
        int ran = 0;
        var property = Prop.ForAll(FourSizes(1), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            GradientCheck.Check(v => Ops.AdditiveScores(v[0], v[1], v[2]), gen.Normal(c.B, c.S, c.A), gen.Normal(c.B, c.U, c.A), gen.Normal(c.A));
        });
        Check.One(Fixed(20261206, 40), property);
        Assert.Equal(40, ran);   // every generated case ran: a property over nothing cannot pass
    }

    [Fact]
    public void ValidKeyScoresAndContext_PassGradientCheck_ForGeneratedShapesAndLengths()
    {
        // Lengths in [0, S], so rows with no valid key and rows with padding are both drawn; every input is checked,
        // including the padded keys, memory steps and weights, whose gradient is 0 because the output never reads them.
        int ran = 0;
        var property = Prop.ForAll(FourSizes(1), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            var lengths = Lengths(gen, c.B, c.S);
            GradientCheck.Check(v => Ops.ValidKeyScores(v[0], v[1], lengths), gen.Normal(c.B, c.U, c.A), gen.Normal(c.B, c.S, c.A));
            GradientCheck.Check(v => Ops.ValidKeyContext(v[0], v[1], lengths), gen.Normal(c.B, c.U, c.S), gen.Normal(c.B, c.S, c.A));
        });
        Check.One(Fixed(20261207, 40), property);
        Assert.Equal(40, ran);   // every generated case ran: a property over nothing cannot pass
    }

    [Fact]
    public void GatherRows_WithPaddingIndex_GradientIsThatOfTheLookupsOffThePaddingRow_ForGeneratedShapes()
    {
        // By design (PyTorch's padding_idx) positions that look up the padding row send it no gradient, so the gradient is
        // not the derivative of GatherRows itself: it is that of GatherRows(t, idx) ⊙ m, m = 0 on those positions and 1
        // elsewhere, which is gradient-checked here and must equal the padded op's gradient under the same upstream.
        int ran = 0;
        var property = Prop.ForAll(Sizes(), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            int vocab = c.M, e = c.K, n = c.N + 2, pad = gen.Rng.NextInt(vocab);
            var indices = new int[n];
            for (int i = 0; i < n; i++) indices[i] = gen.Rng.NextInt(vocab);
            indices[gen.Rng.NextInt(n)] = pad;                                   // at least one padding position
            var keep = Tensor<double>.Zeros(n, e);
            for (int i = 0; i < n; i++) if (indices[i] != pad) keep.Span.Slice(i * e, e).Fill(1);
            var table = gen.Normal(vocab, e);
            GradientCheck.Check(v => Ops.GatherRows(v[0], indices) * new Var<double>(keep), table);

            var upstream = gen.Normal(n, e);
            var masked = new Var<double>(table.Clone(), requiresGrad: true);
            (Ops.GatherRows(masked, indices) * new Var<double>(keep)).Backward(upstream);
            var padded = new Var<double>(table.Clone(), requiresGrad: true);
            Ops.GatherRows(padded, indices, pad).Backward(upstream);
            TensorAssert.AllClose(masked.Grad!, padded.Grad!, rtol: 0, atol: 0, what: $"table {vocab}x{e}, indices [{string.Join(",", indices)}], padding {pad}");
        });
        Check.One(Fixed(20261208, 40), property);
        Assert.Equal(40, ran);   // every generated case ran: a property over nothing cannot pass
    }

    [Fact]
    public void Ops_WithZeroLengthAxes_PassGradientCheckAndGiveEachInputAGradientOfItsShape()
    {
        // Sizes in [0, 4]: every op that allows an empty axis runs forward and backward on one (as PyTorch does), the check
        // compares whatever elements there are (a row operand, a bias, the non-empty operand of a product), and every input
        // gets a gradient of its own shape.
        int ran = 0;
        var property = Prop.ForAll(FourSizes(0), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            var (b, u, s, a) = (c.B, c.U, c.S, c.A);
            bool ta = (c.Seed & 1) != 0, tb = (c.Seed & 2) != 0;
            var lengths = Lengths(gen, b, s);
            var lengthsFromOne = Lengths(gen, b, s + 1, min: 1);
            var rowTargets = Enumerable.Range(0, b).Select(_ => a == 0 ? -100 : gen.Rng.NextInt(a)).ToArray();
            var lookups = s == 0 ? [] : Enumerable.Range(0, u).Select(_ => gen.Rng.NextInt(s)).ToArray();
            int[] aShape = ta ? [s, u] : [u, s], bShape = tb ? [a, s] : [s, a];
            int[] aBatched = [b, .. aShape], bBatched = [b, .. bShape];
            var cases = new (string Name, Func<Var<double>[], Var<double>> F, Tensor<double>[] Inputs)[]
            {
                ("Add row", v => v[0] + v[1], [gen.Normal(b, a), gen.Normal(a)]),
                ("Sub row (1, N)", v => v[0] - v[1], [gen.Normal(b, a), gen.Normal(1, a)]),
                ("Mul", v => v[0] * v[1], [gen.Normal(b, a), gen.Normal(b, a)]),
                ("Mul row", v => v[0] * v[1], [gen.Normal(b, a), gen.Normal(a)]),
                ("Div row", v => v[0] / v[1], [gen.Normal(b, a), gen.AwayFromZero(a)]),
                ("MatMul", v => Ops.MatMul(v[0], v[1], ta, tb), [gen.Normal(aShape), gen.Normal(bShape)]),
                ("BatchedMatMul", v => Ops.BatchedMatMul(v[0], v[1], ta, tb), [gen.Normal(aBatched), gen.Normal(bBatched)]),
                ("Transpose axes 0, 2", v => Ops.Transpose(v[0], 0, 2), [gen.Normal(b, u, s)]),
                ("Sum axis 1", v => Ops.Sum(v[0], 1), [gen.Normal(b, u, s)]),
                ("Sum all", v => Ops.Sum(v[0]), [gen.Normal(b, u, s)]),
                ("Slice", v => Ops.Slice(v[0], 1, u, s), [gen.Normal(b, u + s + a)]),
                ("Concat", v => Ops.Concat([v[0], v[1]], 1), [gen.Normal(b, u), gen.Normal(b, s)]),
                ("Reshape", v => Ops.Reshape(v[0], b * u * s), [gen.Normal(b, u, s)]),
                ("Softmax", v => Ops.Softmax(v[0]), [gen.Normal(b, u, s)]),
                ("LogSoftmax", v => Ops.LogSoftmax(v[0]), [gen.Normal(b, u, s)]),
                ("MaskedSoftmax", v => Ops.MaskedSoftmax(v[0], lengths), [gen.Normal(b, u, s)]),
                ("LastValidStep", v => Ops.LastValidStep(v[0], lengthsFromOne), [gen.Normal(b, s + 1, a)]),
                ("MaskedMean", v => Ops.MaskedMean(v[0], lengthsFromOne), [gen.Normal(b, s + 1, a)]),
                ("MaskedMax", v => Ops.MaskedMax(v[0], lengthsFromOne), [gen.Normal(b, s + 1, a)]),
                ("GatherRows", v => Ops.GatherRows(v[0], lookups), [gen.Normal(s, a)]),
                ("SoftmaxCrossEntropy Sum", v => Ops.SoftmaxCrossEntropy(v[0], rowTargets, Reduction.Sum), [gen.Normal(b, a)]),
                ("LinearCrossEntropy", v => Ops.LinearCrossEntropy(v[0], v[1], v[2], rowTargets), [gen.Normal(b, u), gen.Normal(a, u), gen.Normal(a)]),
                ("MseLoss Sum", v => Ops.MseLoss(v[0], v[1], Reduction.Sum), [gen.Normal(b, u), gen.Normal(b, u)]),
                ("MseLoss masked Sum", v => Ops.MseLoss(v[0], v[1], SequenceMask.Valid<double>(lengths, s), Reduction.Sum), [gen.Normal(b, s, a), gen.Normal(b, s, a)]),
                ("AdditiveScores", v => Ops.AdditiveScores(v[0], v[1], v[2]), [gen.Normal(b, s, a), gen.Normal(b, u, a), gen.Normal(a)]),
                ("ValidKeyScores", v => Ops.ValidKeyScores(v[0], v[1], lengths), [gen.Normal(b, u, a), gen.Normal(b, s, a)]),
                ("ValidKeyContext", v => Ops.ValidKeyContext(v[0], v[1], lengths), [gen.Normal(b, u, s), gen.Normal(b, s, a)]),
                ("Dropout", v => Ops.Dropout(v[0], 0.4, training: true, new SeededRng(3)), [gen.Normal(b, u)]),
            };
            foreach (var (name, f, inputs) in cases)
            {
                string what = $"{name} on {string.Join(", ", inputs.Select(t => t.ShapeString))}";
                var result = GradientCheck.Check(f, inputs);
                Assert.True(result.Passed, what);
                var leaves = inputs.Select(t => new Var<double>(t.Clone(), requiresGrad: true)).ToArray();
                var y = f(leaves);
                y.Backward(Tensor<double>.Ones(y.Value.ShapeArray()));
                foreach (var (leaf, j) in leaves.Select((l, j) => (l, j)))
                {
                    Assert.True(leaf.Grad is not null, $"{what}: input {j} has no gradient");
                    Assert.Equal(leaf.Value.ShapeArray(), leaf.Grad.ShapeArray());
                }
            }
        });
        Check.One(Fixed(20261209, 60), property);
        Assert.Equal(60, ran);   // every generated case ran: a property over nothing cannot pass
    }

    [Fact]
    public void SplitThenConcat_IsIdentity_ForGeneratedShapesAndSizes()
    {
        int ran = 0;
        var property = Prop.ForAll(Sizes(), c =>
        {
            ran++;
            var gen = new CaseGen((ulong)c.Seed);
            var x = new Var<double>(gen.Normal(c.M, c.K, c.N));
            int axis = c.Seed % 3;
            int len = x.Value.Dim(axis);
            int first = gen.Rng.NextInt(len + 1);
            var pieces = Ops.Split(x, [first, len - first], axis);
            TensorAssert.BitEqual<double>(x.Value.Span, Ops.Concat(pieces, axis).Value.Span);
        });
        Check.One(Fixed(7, 60), property);
        Assert.Equal(60, ran);   // every generated case ran: a property over nothing cannot pass
    }
}
