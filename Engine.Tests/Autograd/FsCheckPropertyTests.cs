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
        var property = Prop.ForAll(Sizes(), c =>
        {
            var gen = new CaseGen((ulong)c.Seed);
            // y = softmax(tanh(x Wᵀ + b)): x (M, K), W (N, K), b (N).
            var result = GradientCheck.Check(v => Ops.Softmax(Ops.Tanh(Ops.MatMul(v[0], v[1], transposeB: true) + v[2])),
                gen.Normal(c.M, c.K), gen.Normal(c.N, c.K), gen.Normal(c.N));
            return result.Passed;
        });
        Check.One(Fixed(20261122, 40), property);
    }

    [Fact]
    public void SplitThenConcat_IsIdentity_ForGeneratedShapesAndSizes()
    {
        var property = Prop.ForAll(Sizes(), c =>
        {
            var gen = new CaseGen((ulong)c.Seed);
            var x = new Var<double>(gen.Normal(c.M, c.K, c.N));
            int axis = c.Seed % 3;
            int len = x.Value.Dim(axis);
            int first = gen.Rng.NextInt(len + 1);
            var pieces = Ops.Split(x, [first, len - first], axis);
            TensorAssert.BitEqual<double>(x.Value.Span, Ops.Concat(pieces, axis).Value.Span);
        });
        Check.One(Fixed(7, 60), property);
    }
}
