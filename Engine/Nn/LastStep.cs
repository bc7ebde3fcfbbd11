using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// Keeps the last time step of a sequence, (B, T, F) → (B, F): what Keras's <c>return_sequences=False</c> gives, for
/// many-to-one models (classify or forecast from the final hidden vector). No parameters.
/// </summary>
public sealed class LastStep<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>x (B, T, F) → x[:, T − 1, :] (B, F).</summary>
    public Var<T> Forward(Var<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ArgumentException($"LastStep: expected (B, T, F), got {x.Value.ShapeString}.");
        int b = x.Value.Dim(0), t = x.Value.Dim(1), f = x.Value.Dim(2);
        return Ops.Reshape(Ops.Slice(x, 1, t - 1, 1), b, f);
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x);
}
