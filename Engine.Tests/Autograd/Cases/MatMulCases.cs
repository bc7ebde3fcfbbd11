using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>MatMul with each transpose combination, and a value multiplied by itself (x·xᵀ).</summary>
public sealed class MatMulCases : IGradCheckCaseSource
{
    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(505);
        for (int c = 0; c < 8; c++)
        {
            bool ta = (c & 1) != 0, tb = (c & 2) != 0;
            int m = gen.Size(), k = gen.Size(), n = gen.Size();
            int[] aShape = ta ? [k, m] : [m, k];
            int[] bShape = tb ? [n, k] : [k, n];
            yield return new($"MatMul[{c}] {(ta ? "Aᵀ" : "A")}{CaseGen.Name(aShape)} {(tb ? "Bᵀ" : "B")}{CaseGen.Name(bShape)}",
                v => Ops.MatMul(v[0], v[1], ta, tb), [gen.Normal(aShape), gen.Normal(bShape)]);
        }
        yield return new("MatMul x·xᵀ 3x5", v => Ops.MatMul(v[0], v[0], transposeB: true), [gen.Normal(3, 5)]);
        // Larger operands in fast mode (one directional derivative per input instead of one per element).
        yield return new("MatMul fast mode 33x40 · 40x17", v => Ops.Tanh(Ops.MatMul(v[0], v[1])), [gen.Normal(33, 40), gen.Normal(40, 17)],
            GradientCheckOptions.Default with { FastMode = true });
    }
}
