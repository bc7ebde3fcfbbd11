using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// Averages a sequence over time, (B, T, F) → (B, F), counting only each row's valid steps when
/// <see cref="LayerContext.Lengths"/> is given: Keras's <c>GlobalAveragePooling1D</c> under a mask. No parameters.
/// ∂L/∂x[b, t, :] = ∂L/∂y[b, :] / len_b on the valid steps (<see cref="Ops.MaskedMean{T}"/>).
/// </summary>
public sealed class MaskedMeanPool<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>x (B, T, F) → y[b, :] = Σ_{t &lt; len_b} x[b, t, :] / len_b (len_b = T when <paramref name="lengths"/> is null).</summary>
    public Var<T> Forward(Var<T> x, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ArgumentException($"MaskedMeanPool: expected (B, T, F), got {x.Value.ShapeString}.", nameof(x));
        return Ops.MaskedMean(x, lengths ?? FullLengths(x));
    }

    /// <summary>Every row's length is T.</summary>
    internal static int[] FullLengths(Var<T> x)
    {
        var lengths = new int[x.Value.Dim(0)];
        Array.Fill(lengths, x.Value.Dim(1));
        return lengths;
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context.Lengths);
}
