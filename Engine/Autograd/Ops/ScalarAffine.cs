using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>y = −x.  ∂L/∂x = −∂L/∂y.</summary>
    public static Var<T> Neg<T>(Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ScalarAffine(x, -T.One, T.Zero, "Neg");

    /// <summary>y = x + s for a constant scalar s.  ∂L/∂x = ∂L/∂y.</summary>
    public static Var<T> AddScalar<T>(Var<T> x, T s) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ScalarAffine(x, T.One, s, "AddScalar");

    /// <summary>y = s · x for a constant scalar s.  ∂L/∂x = s · ∂L/∂y.</summary>
    public static Var<T> MulScalar<T>(Var<T> x, T s) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ScalarAffine(x, s, T.Zero, "MulScalar");

    /// <summary>y = s − x for a constant scalar s (for example 1 − z in a GRU).  ∂L/∂x = −∂L/∂y.</summary>
    public static Var<T> RSubScalar<T>(T s, Var<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ScalarAffine(x, -T.One, s, "RSubScalar");

    /// <summary>
    /// y = x / s for a constant scalar s, divided (not multiplied by 1/s, which overflows to ∞ for a subnormal s and is
    /// an ulp off PyTorch's x / s for many others).  ∂L/∂x = ∂L/∂y / s.
    /// </summary>
    public static Var<T> DivScalar<T>(Var<T> x, T s) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        TensorPrimitives.Divide<T>(x.Value.Span, s, y.Span);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new DivScalarNode<T>(x, s) : null);
    }

    /// <summary>
    /// y = α·x + β with constant scalars: the one node behind <see cref="Neg{T}"/>, <see cref="AddScalar{T}"/>,
    /// <see cref="MulScalar{T}"/> and <see cref="RSubScalar{T}"/>.  ∂L/∂x = α · ∂L/∂y.
    /// </summary>
    private static Var<T> ScalarAffine<T>(Var<T> x, T alpha, T beta, string opName) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor<T>.ZerosLike(x.Value);
        TensorPrimitives.Multiply<T>(x.Value.Span, alpha, y.Span);
        TensorPrimitives.Add<T>(y.Span, beta, y.Span);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new ScalarAffineNode<T>(x, alpha, opName) : null);
    }
}

internal sealed class ScalarAffineNode<T>(Var<T> x, T alpha, string opName) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string OpName => opName;

    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        TensorPrimitives.MultiplyAdd<T>(gradOutput.Span, alpha, gx, gx);
    }
}

internal sealed class DivScalarNode<T>(Var<T> x, T s) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string OpName => "DivScalar";

    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < gx.Length; i++) gx[i] += gy[i] / s;
    }
}
