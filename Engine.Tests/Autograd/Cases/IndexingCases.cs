using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Transpose, GatherRows (with repeated indices), Dropout, and a small MLP composed of several ops.</summary>
public sealed class IndexingCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(707);
        for (int c = 0; c < PerOp; c++)
        {
            var shape = gen.Shape(2);
            yield return new($"Transpose[{c}] {CaseGen.Name(shape)}", v => Ops.Transpose(v[0]), [gen.Normal(shape)]);
            var shape3 = gen.Shape(2, 4);
            int axis0 = gen.Axis(shape3.Length), axis1 = gen.Axis(shape3.Length);
            if ((axis1 - axis0) % shape3.Length == 0) axis1 = (axis0 + shape3.Length + 1) % shape3.Length;   // two distinct axes: a swap with itself checks nothing
            yield return new($"Transpose axes ({axis0}, {axis1})[{c}] {CaseGen.Name(shape3)}", v => Ops.Transpose(v[0], axis0, axis1), [gen.Normal(shape3)]);

            int vocab = gen.Size(), e = gen.Size(), n = gen.Size() + 2;
            var indices = new int[n];
            for (int i = 0; i < n; i++) indices[i] = gen.Rng.NextInt(vocab);   // n > V often, so rows repeat
            yield return new($"GatherRows[{c}] table {vocab}x{e} indices [{string.Join(",", indices)}]",
                v => Ops.GatherRows(v[0], indices), [gen.Normal(vocab, e)]);

            double p = c * 0.15;
            ulong seed = 900 + (ulong)c;
            yield return new($"Dropout[{c}] {CaseGen.Name(shape)} p={p:0.00}",
                v => Ops.Dropout(Ops.Tanh(v[0]), p, training: true, new SeededRng(seed)), [gen.Normal(shape)]);
        }

        // A two-layer perceptron with a cross-entropy loss: x (B, D), W1 (H, D), b1 (H), W2 (V, H), b2 (V).
        int[] targets = [0, 2, 1, 2, 0];
        yield return new("MLP composite (MatMul, Add row, Tanh, Relu, SoftmaxCrossEntropy)",
            v => Ops.SoftmaxCrossEntropy(
                Ops.MatMul(Ops.Relu(Ops.Tanh(Ops.MatMul(v[0], v[1], transposeB: true) + v[2])), v[3], transposeB: true) + v[4], targets),
            [gen.Normal(5, 4), gen.Normal(6, 4), gen.Normal(6), gen.Normal(3, 6), gen.Normal(3)]);
    }
}
