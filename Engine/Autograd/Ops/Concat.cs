using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = [x₀, x₁, …] joined along <paramref name="axis"/>: the inputs agree on every other axis and
    /// y's axis length is the sum of theirs. ∂L/∂x_j is ∂L/∂y's range for x_j (the inverse of <see cref="Split{T}"/>).
    /// </summary>
    public static Var<T> Concat<T>(IReadOnlyList<Var<T>> xs, int axis) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("Concat: needs at least one input.", nameof(xs));
        for (int j = 0; j < xs.Count; j++)
            if (xs[j] is null) throw new ArgumentNullException(nameof(xs), $"Concat: input {j} of {xs.Count} is null.");
        var first = xs[0].Value;
        var layout = AxisLayout.Of(first.Shape, axis, "Concat");
        var sizes = new int[xs.Count];
        long total = 0;
        for (int j = 0; j < xs.Count; j++)
        {
            var v = xs[j].Value;
            if (v.Rank != first.Rank || !AxisLayout.WithAxis(v.Shape, layout.Axis, 0).AsSpan().SequenceEqual(AxisLayout.WithAxis(first.Shape, layout.Axis, 0)))
                throw new ArgumentException(
                    $"Concat: input {j} has shape {v.ShapeString}, which does not match input 0's shape {first.ShapeString} outside axis {layout.Axis}.", nameof(xs));
            sizes[j] = v.Dim(layout.Axis);
            total += sizes[j];
        }
        if (total > int.MaxValue)
            throw new ArgumentException($"Concat: the inputs' lengths along axis {layout.Axis} add up to {total}, above the {int.MaxValue} an axis holds (input 0 {first.ShapeString}, {xs.Count} inputs).", nameof(xs));
        var y = Tensor<T>.Zeros(AxisLayout.WithAxis(first.Shape, layout.Axis, (int)total));
        for (int j = 0, start = 0; j < xs.Count; start += sizes[j], j++)
            AxisLayout.CopyBlocks<T>(xs[j].Value.Span, sizes[j], 0, y.Span, (int)total, start, sizes[j], layout.Outer, layout.Inner, accumulate: false);
        var inputs = xs.ToArray();
        return Var<T>.FromOp(y, Node<T>.Tracks(inputs) ? new ConcatNode<T>(inputs, layout with { N = (int)total }, sizes) : null);
    }
}

internal sealed class ConcatNode<T>(Var<T>[] inputs, AxisLayout layout, int[] sizes) : Node<T>(inputs)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        for (int j = 0, start = 0; j < sizes.Length; start += sizes[j], j++)
        {
            var xj = Inputs[j];
            if (!xj.RequiresGrad) continue;
            AxisLayout.CopyBlocks<T>(gradOutput.Span, layout.N, start, GradOf(xj).Span, sizes[j], 0, sizes[j], layout.Outer, layout.Inner, accumulate: true);
        }
    }
}
