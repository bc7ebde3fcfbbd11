using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The fused teacher-forced Bahdanau decoder's float64 gradient check (central differences, eps 1e-6, atol 1e-5, rtol
/// 1e-3) over generated shapes: GRU and LSTM, random B, U, E, M, A in [1, 2], S and H in [1, 3], source lengths in
/// [1, S] and, half of the time, target lengths in [0, U]. The states enter the checked sum through fixed random weights (the attention weights come out
/// without a graph), and every input — embedded targets, keys, memory, initial states, W_q, v and the cell's weights — is checked.
/// </summary>
public sealed class FusedBahdanauDecoderGradCheckPropertyTests
{
    private sealed record Case(RecurrentCell Cell, int B, int U, int S, int E, int M, int A, int H, bool TargetLengths, int Seed);

    private static Arbitrary<Case> Cases() =>
        (from cell in Gen.Elements(RecurrentCell.Gru, RecurrentCell.Lstm)
         from b in Gen.Choose(1, 2)
         from u in Gen.Choose(1, 2)
         from s in Gen.Choose(1, 3)
         from e in Gen.Choose(1, 2)
         from m in Gen.Choose(1, 2)
         from a in Gen.Choose(1, 2)
         from h in Gen.Choose(1, 3)
         from targetLengths in Gen.Elements(false, true)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(cell, b, u, s, e, m, a, h, targetLengths, seed)).ToArbitrary();

    [Fact]
    public void FusedDecoder_PassesGradientCheck_ForGeneratedShapesAndLengths()
    {
        int ran = 0;
        Check.One(FsCheckReplay.Fixed(20261211, 12), Prop.ForAll(Cases(), c =>
        {
            ran++;
            var rng = new SeededRng((ulong)c.Seed);
            bool lstm = c.Cell == RecurrentCell.Lstm;
            int g = (lstm ? 4 : 3) * c.H;
            var lengths = Enumerable.Range(0, c.B).Select(_ => 1 + rng.NextInt(c.S)).ToArray();
            int[]? targetLengths = c.TargetLengths ? Enumerable.Range(0, c.B).Select(_ => rng.NextInt(c.U + 1)).ToArray() : null;
            Tensor<double> Normal(params int[] shape) => Tensor<double>.Normal(shape, 0, 1, rng);
            var inputs = new List<Tensor<double>> { Normal(c.B, c.U, c.E), Normal(c.B, c.S, c.A), Normal(c.B, c.S, c.M), Normal(1, c.B, c.H) };
            if (lstm) inputs.Add(Normal(1, c.B, c.H));
            inputs.AddRange([Normal(c.A, c.H), Normal(1, c.A), Normal(g, c.E + c.M), Normal(g, c.H), Normal(g), Normal(g)]);
            int w = lstm ? 5 : 4;
            var weightRng = new SeededRng((ulong)c.Seed + 1);
            var weightY = Tensor<double>.Normal([c.B, c.U, c.H], 0, 1, weightRng);
            var result = GradientCheck.Check(v =>
            {
                var (y, _) = FusedBahdanauDecoder.Run(c.Cell, v[0], v[1], v[2], lengths, v[3], lstm ? v[4] : null, v[w], v[w + 1],
                    new RecurrentWeights<double>(v[w + 2], v[w + 3], v[w + 4], v[w + 5]), null, targetLengths);
                return Ops.Sum(y * new Var<double>(weightY));
            }, inputs.ToArray());
            string what = $"{c}: lengths [{string.Join(",", lengths)}], target lengths [{string.Join(",", targetLengths ?? [])}]";
            Assert.True(result.Passed, what);
        }));
        Assert.Equal(12, ran);   // every generated case ran: a property over nothing cannot pass
    }
}
