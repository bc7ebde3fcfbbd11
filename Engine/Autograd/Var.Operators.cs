using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public sealed partial class Var<T>
{
    /// <summary>Elementwise sum (see <see cref="Ops.Add{T}"/>).</summary>
    public static Var<T> operator +(Var<T> a, Var<T> b) => Ops.Add(a, b);

    /// <summary>Elementwise difference (see <see cref="Ops.Sub{T}"/>).</summary>
    public static Var<T> operator -(Var<T> a, Var<T> b) => Ops.Sub(a, b);

    /// <summary>Elementwise (Hadamard) product (see <see cref="Ops.Mul{T}"/>).</summary>
    public static Var<T> operator *(Var<T> a, Var<T> b) => Ops.Mul(a, b);

    /// <summary>Elementwise quotient (see <see cref="Ops.Div{T}"/>).</summary>
    public static Var<T> operator /(Var<T> a, Var<T> b) => Ops.Div(a, b);

    /// <summary>Negation (see <see cref="Ops.Neg{T}"/>).</summary>
    public static Var<T> operator -(Var<T> x) => Ops.Neg(x);

    /// <summary>x + s (see <see cref="Ops.AddScalar{T}"/>).</summary>
    public static Var<T> operator +(Var<T> x, T s) => Ops.AddScalar(x, s);

    /// <summary>s + x (see <see cref="Ops.AddScalar{T}"/>).</summary>
    public static Var<T> operator +(T s, Var<T> x) => Ops.AddScalar(x, s);

    /// <summary>x − s (see <see cref="Ops.AddScalar{T}"/> with −s).</summary>
    public static Var<T> operator -(Var<T> x, T s) => Ops.AddScalar(x, -s);

    /// <summary>s − x (see <see cref="Ops.RSubScalar{T}"/>).</summary>
    public static Var<T> operator -(T s, Var<T> x) => Ops.RSubScalar(s, x);

    /// <summary>x · s (see <see cref="Ops.MulScalar{T}"/>).</summary>
    public static Var<T> operator *(Var<T> x, T s) => Ops.MulScalar(x, s);

    /// <summary>s · x (see <see cref="Ops.MulScalar{T}"/>).</summary>
    public static Var<T> operator *(T s, Var<T> x) => Ops.MulScalar(x, s);

    /// <summary>x / s elementwise (see <see cref="Ops.DivScalar{T}"/>).</summary>
    public static Var<T> operator /(Var<T> x, T s) => Ops.DivScalar(x, s);

    /// <summary>s / x elementwise: a constant tensor filled with s divided by x (see <see cref="Ops.Div{T}"/>).</summary>
    public static Var<T> operator /(T s, Var<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Ops.Div(new Var<T>(Tensor<T>.Full(s, x.Value.ShapeArray())), x);
    }
}
