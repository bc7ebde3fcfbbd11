using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Add, Sub, Mul, Div: equal shapes, the row broadcast (N) and (1, N), and a value used twice.</summary>
public sealed class BinaryCases : IGradCheckCaseSource
{
    private const int PerOp = 5;

    private static readonly (string Name, Func<Var<double>, Var<double>, Var<double>> Op)[] BinaryOps =
    [
        ("Add", Ops.Add), ("Sub", Ops.Sub), ("Mul", Ops.Mul), ("Div", Ops.Div),
        ("Operator+", (a, b) => a + b), ("Operator-", (a, b) => a - b), ("Operator*", (a, b) => a * b), ("Operator/", (a, b) => a / b),
    ];

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(202);
        foreach (var (name, op) in BinaryOps)
        {
            for (int c = 0; c < PerOp; c++)
            {
                var shape = gen.Shape(1, 3);
                int n = shape[^1];
                // Case c picks the form of b: same shape, row (N), or row (1, N).
                int[] bShape = (c % 3) switch { 0 => shape, 1 => [n], _ => [1, n] };
                string form = (c % 3) switch { 0 => "same", 1 => "row (N)", _ => "row (1,N)" };
                yield return new($"{name}[{c}] {CaseGen.Name(shape)} {form}", v => op(v[0], v[1]), [gen.Normal(shape), gen.AwayFromZero(bShape)]);
            }
            var x = gen.AwayFromZero(3, 4);
            yield return new($"{name} same value twice 3x4", v => op(v[0], v[0]), [x]);
        }
    }
}
