using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd.Cases;

/// <summary>Slice, Split, Concat and Reshape along random axes.</summary>
public sealed class ShapeCases : IGradCheckCaseSource
{
    private const int PerOp = 6;

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(404);
        for (int c = 0; c < PerOp; c++)
        {
            var shape = gen.Shape(1, 3);
            int axis = gen.Axis(shape.Length);
            int n = shape[axis < 0 ? axis + shape.Length : axis];
            int start = gen.Rng.NextInt(n);
            int length = 1 + gen.Rng.NextInt(n - start);
            yield return new($"Slice[{c}] {CaseGen.Name(shape)} axis {axis} [{start}, {start + length})",
                v => Ops.Slice(v[0], axis, start, length), [gen.Normal(shape)]);

            // Split into up to three pieces (a piece may be empty), then Concat them back in reverse order.
            int first = gen.Rng.NextInt(n + 1);
            int second = gen.Rng.NextInt(n - first + 1);
            int[] sizes = [first, second, n - first - second];
            yield return new($"Split+Concat[{c}] {CaseGen.Name(shape)} axis {axis} sizes [{string.Join(",", sizes)}]",
                v => Ops.Concat(Ops.Split(v[0], sizes, axis).Reverse().ToArray(), axis), [gen.Normal(shape)]);

            // Concat of 1 to 3 inputs of different lengths along the axis.
            int count = 1 + gen.Rng.NextInt(3);
            var inputs = Enumerable.Range(0, count).Select(_ =>
            {
                var s = (int[])shape.Clone();
                s[axis < 0 ? axis + s.Length : axis] = gen.Size();
                return gen.Normal(s);
            }).ToArray();
            yield return new($"Concat[{c}] {count} inputs like {CaseGen.Name(shape)} axis {axis}", v => Ops.Concat(v, axis), inputs);

            int total = shape.Aggregate(1, (p, d) => p * d);
            yield return new($"Reshape[{c}] {CaseGen.Name(shape)} -> ({total}) -> (-1, 1)",
                v => Ops.Tanh(Ops.Reshape(Ops.Reshape(v[0], total), -1, 1)), [gen.Normal(shape)]);
        }
    }
}
