using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>s = Σ_i x_i over all elements, a rank-0 value.  ∂L/∂x_i = ∂L/∂s.</summary>
    public static Var<T> Sum<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Reduce(x, null, mean: false);

    /// <summary>
    /// y = Σ_k x[…, k, …] along <paramref name="axis"/>, which is removed: (…, N, …) → (…, …).
    /// ∂L/∂x[…, k, …] = ∂L/∂y[…, …] for every k.
    /// </summary>
    public static Var<T> Sum<T>(Var<T> x, int axis) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Reduce(x, axis, mean: false);

    /// <summary>m = (1/n) Σ_i x_i over all n elements, a rank-0 value (NaN for an empty tensor).  ∂L/∂x_i = ∂L/∂m / n.</summary>
    public static Var<T> Mean<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Reduce(x, null, mean: true);

    /// <summary>
    /// y = (1/N) Σ_k x[…, k, …] along <paramref name="axis"/> (length N), which is removed.
    /// ∂L/∂x[…, k, …] = ∂L/∂y[…, …] / N.
    /// </summary>
    public static Var<T> Mean<T>(Var<T> x, int axis) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Reduce(x, axis, mean: true);

    /// <summary>Sum or mean over all elements (<paramref name="axis"/> null) or along one axis.</summary>
    private static Var<T> Reduce<T>(Var<T> x, int? axis, bool mean) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        string op = mean ? "Mean" : "Sum";
        var xs = x.Value.Span;
        // Viewed as (outer, N, inner); the whole-tensor reduction is (1, n, 1).
        var layout = axis is int ax ? AxisLayout.Of(x.Value.Shape, ax, op) : new AxisLayout(-1, 1, xs.Length, 1);
        var y = axis is null ? Tensor<T>.Zeros() : Tensor<T>.Zeros(AxisLayout.WithoutAxis(x.Value.Shape, layout.Axis));
        var ys = y.Span;
        int n = layout.N, inner = layout.Inner;
        for (int o = 0; o < layout.Outer; o++)
        {
            var yo = ys.Slice(o * inner, inner);
            if (inner == 1)
            {
                yo[0] = TensorPrimitives.Sum<T>(xs.Slice(o * n, n));
                continue;
            }
            for (int k = 0; k < n; k++)
                TensorPrimitives.Add(yo, xs.Slice((o * n + k) * inner, inner), yo);
        }
        T scale = mean ? T.One / T.CreateTruncating(n) : T.One;
        if (mean) TensorPrimitives.Multiply(ys, scale, ys);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new SumNode<T>(x, layout, scale, op) : null);
    }
}

/// <summary>The node of Sum and Mean: ∂L/∂x[o, k, i] = scale · ∂L/∂y[o, i] (scale 1 or 1/N).</summary>
internal sealed class SumNode<T>(Var<T> x, AxisLayout layout, T scale, string opName) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string OpName => opName;

    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        int n = layout.N, inner = layout.Inner;
        for (int o = 0; o < layout.Outer; o++)
        {
            var go = gy.Slice(o * inner, inner);
            if (inner == 1)
            {
                // Whole-tensor sum or last axis: the row gets one scalar, added in one vector pass.
                var gRow = gx.Slice(o * n, n);
                TensorPrimitives.Add(gRow, scale * go[0], gRow);
                continue;
            }
            for (int k = 0; k < n; k++)
            {
                var gk = gx.Slice((o * n + k) * inner, inner);
                TensorPrimitives.MultiplyAdd(go, scale, gk, gk);
            }
        }
    }
}
