using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The last valid step of each row of a padded batch: x (B, T, F), lengths (B) → y (B, F), y[b, :] = x[b, len_b − 1, :].
    /// ∂L/∂x[b, len_b − 1, :] = ∂L/∂y[b, :]; every other step gets 0.
    /// </summary>
    public static Var<T> LastValidStep<T>(Var<T> x, int[] lengths) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (b, t, f) = PooledShape(x, lengths, "LastValidStep");
        var y = Tensor<T>.Zeros(b, f);
        var xs = x.Value.Span;
        for (int r = 0; r < b; r++)
            xs.Slice((r * t + lengths[r] - 1) * f, f).CopyTo(y.Span.Slice(r * f, f));
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new LastValidStepNode<T>(x, (int[])lengths.Clone()) : null);
    }

    /// <summary>(B, T, F) of a pooling op's input, after checking that it is 3-D and each length is in [1, T].</summary>
    private static (int B, int T, int F) PooledShape<T>(Var<T> x, int[] lengths, string op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ArgumentException($"{op}: expected x (B, T, F), got {x.Value.ShapeString}.", nameof(x));
        int b = x.Value.Dim(0), t = x.Value.Dim(1), f = x.Value.Dim(2);
        SequenceMask.Check(lengths, b, t, minLength: 1, $"{op} (x {x.Value.ShapeString})");
        return (b, t, f);
    }
}

internal sealed class LastValidStepNode<T>(Var<T> x, int[] lengths) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        int t = x.Value.Dim(1), f = x.Value.Dim(2);
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        for (int r = 0; r < lengths.Length; r++)
        {
            var dst = gx.Slice((r * t + lengths[r] - 1) * f, f);
            TensorPrimitives.Add(dst, gy.Slice(r * f, f), dst);
        }
    }
}
