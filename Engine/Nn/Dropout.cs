using SeqLearn.Kernels;
using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// Inverted dropout as a layer, like PyTorch's <c>nn.Dropout(p)</c>: in training mode each element is zeroed with
/// probability p and the rest scaled by 1/(1 − p); in evaluation mode (<see cref="Module{T}.Eval"/>) it is the
/// identity. The random draws come from the <see cref="SeededRng"/> the caller passes, never from hidden state.
/// </summary>
public sealed class Dropout<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; <paramref name="p"/> must be in [0, 1).</summary>
    public Dropout(double p)
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p = {p} is outside [0, 1).");
        P = p;
    }

    /// <summary>The drop probability.</summary>
    public double P { get; }

    /// <summary>True when this layer changes its input (training mode and p &gt; 0): only then is an rng needed.</summary>
    public bool IsActive => Training && P > 0;

    /// <summary>y = x ⊙ m / (1 − p) in training, x in evaluation. <paramref name="rng"/> may be null when not <see cref="IsActive"/>.</summary>
    public Var<T> Forward(Var<T> x, SeededRng? rng) => Forward(x, rng, pool: null);

    /// <summary>
    /// <see cref="Forward(Var{T}, SeededRng?)"/> with the elementwise products on <paramref name="pool"/> (the same values
    /// on any pool: the mask is drawn in order on the caller).
    /// </summary>
    public Var<T> Forward(Var<T> x, SeededRng? rng, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!IsActive) return x;
        if (rng is null)
            throw new ArgumentException($"Dropout: p = {P} in training mode needs an explicit rng (or call Eval()).", nameof(rng));
        return Ops.Dropout(x, P, training: true, rng, pool);
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context.Rng, context.Pool);
}
