using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Softmax, LogSoftmax, the fused cross-entropy and linear cross-entropy (both reductions, with ignored rows, with and without label smoothing) and MSE.</summary>
public sealed class SoftmaxLossCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(606);
        for (int c = 0; c < PerOp; c++)
        {
            var shape = gen.Shape(1, 3);
            if (shape[^1] == 1) shape[^1] = 3;   // over one class the output is constant and every gradient 0: nothing to check
            string s = CaseGen.Name(shape);
            yield return new($"Softmax[{c}] {s}", v => Ops.Softmax(v[0]), [gen.Normal(shape)]);
            yield return new($"LogSoftmax[{c}] {s}", v => Ops.LogSoftmax(v[0]), [gen.Normal(shape)]);

            int n = gen.Size(), vocab = gen.Size();
            var targets = new int[n];
            for (int r = 0; r < n; r++) targets[r] = gen.Rng.NextInt(vocab);
            var reduction = c % 2 == 0 ? Reduction.Mean : Reduction.Sum;
            if (c >= 2 && n > 1) targets[gen.Rng.NextInt(n)] = -100;   // some cases ignore one row
            string t = string.Join(",", targets);
            double epsilon = (c % 3) switch { 0 => 0, 1 => 0.1, _ => 0.35 };   // label smoothing, off in a third of the cases
            yield return new($"SoftmaxCrossEntropy[{c}] {n}x{vocab} {reduction} ε {epsilon} targets [{t}]",
                v => Ops.SoftmaxCrossEntropy(v[0], targets, reduction, labelSmoothing: epsilon), [gen.Normal(n, vocab)]);
            int h = gen.Size();
            bool withBias = c % 3 != 1;
            yield return new($"LinearCrossEntropy[{c}] x {n}x{h} W {vocab}x{h} bias {withBias} {reduction} ε {epsilon} targets [{t}]",
                v => Ops.LinearCrossEntropy(v[0], v[1], withBias ? v[2] : null, targets, reduction, labelSmoothing: epsilon),
                [gen.Normal(n, h), gen.Normal(vocab, h), gen.Normal(vocab)]);
            yield return new($"MseLoss[{c}] {s} {reduction}",
                v => Ops.MseLoss(v[0], v[1], reduction), [gen.Normal(shape), gen.Normal(shape)]);
        }
        var custom = new[] { 2, 7, 0, 7 };
        yield return new("SoftmaxCrossEntropy custom ignoreIndex 7", v => Ops.SoftmaxCrossEntropy(v[0], custom, Reduction.Mean, ignoreIndex: 7),
            [gen.Normal(4, 3)]);
    }
}
