using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Unary elementwise ops and the scalar ops, over random shapes of rank 0 to 3.</summary>
public sealed class ElementwiseCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(101);
        for (int c = 0; c < PerOp; c++)
        {
            var shape = gen.Shape(0, 3);
            string s = CaseGen.Name(shape);
            double k = gen.Rng.NextDouble() * 4 - 2;
            yield return new($"Neg[{c}] {s}", v => Ops.Neg(v[0]), [gen.Normal(shape)]);
            yield return new($"AddScalar[{c}] {s}", v => Ops.AddScalar(v[0], k), [gen.Normal(shape)]);
            yield return new($"MulScalar[{c}] {s}", v => Ops.MulScalar(v[0], k), [gen.Normal(shape)]);
            yield return new($"RSubScalar[{c}] {s}", v => Ops.RSubScalar(k, v[0]), [gen.Normal(shape)]);
            yield return new($"DivScalar[{c}] {s}", v => Ops.DivScalar(v[0], k + (k >= 0 ? 0.5 : -0.5)), [gen.Normal(shape)]);
            yield return new($"Tanh[{c}] {s}", v => Ops.Tanh(v[0]), [gen.Normal(shape)]);
            yield return new($"Sigmoid[{c}] {s}", v => Ops.Sigmoid(v[0]), [gen.Uniform(-4, 4, shape)]);
            // Relu away from its kink at 0, where the central difference straddles two slopes.
            yield return new($"Relu[{c}] {s}", v => Ops.Relu(v[0]), [gen.AwayFromZero(shape)]);
            yield return new($"Exp[{c}] {s}", v => Ops.Exp(v[0]), [gen.Uniform(-2, 2, shape)]);
            yield return new($"Log[{c}] {s}", v => Ops.Log(v[0]), [gen.Uniform(0.2, 3, shape)]);
        }
        var x = gen.Normal(3, 5);
        yield return new("Operators scalar: 2 + x, x + 2, x - 2, 2 - x, 3x, x*3, x/4", v =>
            (2.0 + v[0]) * (v[0] + 2.0) + (v[0] - 2.0) * (2.0 - v[0]) + 3.0 * v[0] * (v[0] * 3.0) + v[0] / 4.0 - (-v[0]), [x]);
        yield return new("Operators scalar: 1 / x", v => 1.0 / v[0], [gen.AwayFromZero(4, 3)]);
    }
}
