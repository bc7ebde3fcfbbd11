using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>
/// The ops of padded batches and attention: BatchedMatMul (each transpose pair), MaskedSoftmax ((N, S) and (N, M, S)),
/// the masked MSE (full-shape and leading-axes masks), LastValidStep, MaskedMean, MaskedMax, and cross-entropy with
/// ignored (padding) rows. Lengths are drawn in [1, T] (0 too for the softmax), so most batches have padding.
/// </summary>
public sealed class MaskingCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(818);
        for (int c = 0; c < PerOp; c++)
        {
            bool ta = (c & 1) != 0, tb = (c & 2) != 0;
            int n = gen.Size(), m = gen.Size(), k = gen.Size(), p = gen.Size();
            int[] aShape = ta ? [n, k, m] : [n, m, k];
            int[] bShape = tb ? [n, p, k] : [n, k, p];
            yield return new($"BatchedMatMul[{c}] {(ta ? "Aᵀ" : "A")}{CaseGen.Name(aShape)} {(tb ? "Bᵀ" : "B")}{CaseGen.Name(bShape)}",
                v => Ops.BatchedMatMul(v[0], v[1], ta, tb), [gen.Normal(aShape), gen.Normal(bShape)]);

            int[] scores = c % 2 == 0 ? [gen.Size(), gen.Size() + 1] : [gen.Size(), gen.Size(), gen.Size() + 1];
            var softLengths = Lengths(gen, scores[0], scores[^1], min: c == 0 ? 0 : 1);
            yield return new($"MaskedSoftmax[{c}] {CaseGen.Name(scores)} lengths [{string.Join(",", softLengths)}]",
                v => Ops.MaskedSoftmax(v[0], softLengths), [gen.Normal(scores)]);

            int[] x = [gen.Size(), gen.Size() + 1, gen.Size()];
            var lengths = Lengths(gen, x[0], x[1], min: 1);
            string name = $"{CaseGen.Name(x)} lengths [{string.Join(",", lengths)}]";
            yield return new($"LastValidStep[{c}] {name}", v => Ops.LastValidStep(v[0], lengths), [gen.Normal(x)]);
            yield return new($"MaskedMean[{c}] {name}", v => Ops.MaskedMean(v[0], lengths), [gen.Normal(x)]);
            yield return new($"MaskedMax[{c}] {name}", v => Ops.MaskedMax(v[0], lengths), [gen.Normal(x)]);

            var reduction = c % 2 == 0 ? Reduction.Mean : Reduction.Sum;
            var mask = c < 3 ? SequenceMask.Valid<double>(lengths, x[1]) : RandomMask(gen, x);
            yield return new($"MseLoss masked[{c}] {CaseGen.Name(x)} mask {mask.ShapeString} {reduction}",
                v => Ops.MseLoss(v[0], v[1], mask, reduction), [gen.Normal(x), gen.Normal(x)]);
        }
        yield return new("MseLoss masked all-zero mask", v => Ops.MseLoss(v[0], v[1], Tensor<double>.Zeros(3), Reduction.Mean),
            [gen.Normal(3, 2), gen.Normal(3, 2)]);
        // Padded target rows (-100, the default ignore index): their logits get a zero gradient, the mean counts the rest.
        int[] padded = [1, -100, 0, -100, -100, 2];
        yield return new("SoftmaxCrossEntropy padded rows Mean", v => Ops.SoftmaxCrossEntropy(v[0], padded, Reduction.Mean), [gen.Normal(6, 3)]);
        yield return new("SoftmaxCrossEntropy padded rows Sum", v => Ops.SoftmaxCrossEntropy(v[0], padded, Reduction.Sum), [gen.Normal(6, 3)]);
        // Scaled dot-product attention over padded keys: softmax(q kᵀ / √d, lengths) · v.
        int[] keyLengths = [3, 1, 2];
        yield return new("Attention composite (BatchedMatMul, MaskedSoftmax) 3x2x4 keys 3x3x4",
            v => Ops.BatchedMatMul(Ops.MaskedSoftmax(Ops.BatchedMatMul(v[0], v[1], transposeB: true) * 0.5, keyLengths), v[2]),
            [gen.Normal(3, 2, 4), gen.Normal(3, 3, 4), gen.Normal(3, 3, 5)]);
    }

    /// <summary>One length per row, each in [<paramref name="min"/>, <paramref name="steps"/>].</summary>
    private static int[] Lengths(CaseGen gen, int rows, int steps, int min)
    {
        var lengths = new int[rows];
        for (int r = 0; r < rows; r++) lengths[r] = min + gen.Rng.NextInt(steps - min + 1);
        return lengths;
    }

    /// <summary>A 0/1 mask over the whole shape, each entry 1 with probability 1/2.</summary>
    private static Tensor<double> RandomMask(CaseGen gen, int[] shape)
    {
        var mask = Tensor<double>.Zeros(shape);
        var s = mask.Span;
        for (int i = 0; i < s.Length; i++) s[i] = gen.Rng.NextInt(2);
        return mask;
    }
}
