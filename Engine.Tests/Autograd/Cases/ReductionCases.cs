using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Sum and Mean, over all elements and along a random axis (negative half of the time).</summary>
public sealed class ReductionCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(303);
        for (int c = 0; c < PerOp; c++)
        {
            var shape = gen.Shape(0, 3);
            string s = CaseGen.Name(shape);
            yield return new($"Sum all[{c}] {s}", v => Ops.Sum(v[0]), [gen.Normal(shape)]);
            yield return new($"Mean all[{c}] {s}", v => Ops.Mean(v[0]), [gen.Normal(shape)]);
            var shaped = gen.Shape(1, 3);
            int axis = gen.Axis(shaped.Length);
            yield return new($"Sum axis {axis}[{c}] {CaseGen.Name(shaped)}", v => Ops.Sum(v[0], axis), [gen.Normal(shaped)]);
            yield return new($"Mean axis {axis}[{c}] {CaseGen.Name(shaped)}", v => Ops.Mean(v[0], axis), [gen.Normal(shaped)]);
        }
    }
}
