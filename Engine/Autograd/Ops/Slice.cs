using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = x[…, start : start + length, …] along <paramref name="axis"/> (a copy): (…, N, …) → (…, length, …).
    /// ∂L/∂x is ∂L/∂y in the sliced range and 0 elsewhere.
    /// </summary>
    public static Var<T> Slice<T>(Var<T> x, int axis, int start, int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var layout = AxisLayout.Of(x.Value.Shape, axis, "Slice");
        // start > N − length rather than start + length > N: the sum of two valid ints can overflow and pass the check.
        if (start < 0 || length < 0 || start > layout.N - length)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Slice: [{start}, {(long)start + length}) is outside axis {layout.Axis} (length {layout.N}) of shape {x.Value.ShapeString}.");
        var y = Tensor<T>.Zeros(AxisLayout.WithAxis(x.Value.Shape, layout.Axis, length));
        AxisLayout.CopyBlocks<T>(x.Value.Span, layout.N, start, y.Span, length, 0, length, layout.Outer, layout.Inner, accumulate: false);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new SliceNode<T>(x, layout, start, length) : null);
    }
}

internal sealed class SliceNode<T>(Var<T> x, AxisLayout layout, int start, int length) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput) =>
        AxisLayout.CopyBlocks<T>(gradOutput.Span, length, 0, GradOf(x).Span, layout.N, start, length, layout.Outer, layout.Inner, accumulate: true);
}
