namespace SeqLearn.Autograd;

public sealed partial class Var<T>
{
    /// <summary>Elementwise sum (see <see cref="Ops.Add{T}"/>).</summary>
    public static Var<T> operator +(Var<T> a, Var<T> b) => Ops.Add(a, b);
}
