using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = xᵀ for a 2-D value: (M, N) → (N, M), y[j, i] = x[i, j] (a copy).  ∂L/∂x = (∂L/∂y)ᵀ.
    /// </summary>
    public static Var<T> Transpose<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 2)
            throw new ArgumentException($"Transpose: the value must be 2-D (use Transpose(x, axis0, axis1) otherwise), got {x.Value.ShapeString}.", nameof(x));
        return Transpose(x, 0, 1);
    }

    /// <summary>
    /// Swaps two axes (a copy): for example (B, T, E) → (T, B, E) with axes 0 and 1.
    /// y[…, j, …, i, …] = x[…, i, …, j, …].  ∂L/∂x = ∂L/∂y with the same two axes swapped back.
    /// </summary>
    public static Var<T> Transpose<T>(Var<T> x, int axis0, int axis1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var swap = AxisSwap.Of(x.Value.Shape, axis0, axis1);
        var shape = x.Value.ShapeArray();
        (shape[swap.Axis0], shape[swap.Axis1]) = (shape[swap.Axis1], shape[swap.Axis0]);
        var y = Tensor<T>.Zeros(shape);
        swap.Apply<T>(x.Value.Span, y.Span, accumulate: false);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new TransposeNode<T>(x, swap) : null);
    }
}

/// <summary>
/// Two axes a0 &lt; a1 of a row-major shape, seen as (P, I, Q, J, R): P = sizes before a0, I = size of a0,
/// Q = sizes between, J = size of a1, R = sizes after. Swapping gives (P, J, Q, I, R). (For a0 = a1, Q = J = 1.)
/// </summary>
internal readonly record struct AxisSwap(int Axis0, int Axis1, int P, int I, int Q, int J, int R)
{
    public static AxisSwap Of(ReadOnlySpan<int> shape, int axis0, int axis1)
    {
        int a = ShapeUtil.NormalizeAxis(axis0, shape.Length, "Transpose");
        int b = ShapeUtil.NormalizeAxis(axis1, shape.Length, "Transpose");
        if (a > b) (a, b) = (b, a);
        if (a == b) return new AxisSwap(a, b, Product(shape[..a]), shape[a], 1, 1, Product(shape[(a + 1)..]));   // the identity
        return new AxisSwap(a, b, Product(shape[..a]), shape[a], Product(shape[(a + 1)..b]), shape[b], Product(shape[(b + 1)..]));
    }

    private static int Product(ReadOnlySpan<int> sizes)
    {
        int p = 1;
        foreach (int d in sizes) p *= d;
        return p;
    }

    /// <summary>y[p, j, q, i, r] = x[p, i, q, j, r] (or +=), moving contiguous blocks of R elements.</summary>
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (R == 0) return;
        for (int p = 0; p < P; p++)
            for (int i = 0; i < I; i++)
                for (int q = 0; q < Q; q++)
                    for (int j = 0; j < J; j++)
                    {
                        var src = x.Slice((((p * I + i) * Q + q) * J + j) * R, R);
                        var dst = y.Slice((((p * J + j) * Q + q) * I + i) * R, R);
                        if (accumulate) TensorPrimitives.Add(dst, src, dst);
                        else src.CopyTo(dst);
                    }
    }

    /// <summary>The same swap seen from the swapped shape (for the backward).</summary>
    public AxisSwap Inverse => this with { I = J, J = I };
}

internal sealed class TransposeNode<T>(Var<T> x, AxisSwap swap) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>∂L/∂x += ∂L/∂y with the axes swapped back.</summary>
    protected override void Backward(Tensor<T> gradOutput) =>
        swap.Inverse.Apply<T>(gradOutput.Span, GradOf(x).Span, accumulate: true);
}
