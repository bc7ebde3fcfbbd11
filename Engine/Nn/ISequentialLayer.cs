using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// What a layer needs to sit in a <see cref="Sequential{T}"/>: one tensor in, one tensor out. Layers with more
/// inputs or outputs (a recurrent layer's state) expose those through their own <c>Forward</c> methods and use
/// defaults here (zero initial state, state discarded).
/// </summary>
public interface ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>y = layer(x).</summary>
    Var<T> Forward(Var<T> x, LayerContext context);
}

/// <summary>
/// The explicit extras of a forward pass through a <see cref="Sequential{T}"/>: the random source for dropout
/// (required when a dropout is active in training mode) and the worker pool for the GEMMs. Nothing is ambient.
/// </summary>
/// <param name="Rng">Draws dropout masks, in layer order.</param>
/// <param name="Pool">Runs the matrix products (null: the calling thread).</param>
/// <param name="Lengths">
/// The valid steps of each row of a padded batch (B), or null when every row fills all T steps. Recurrent layers stop
/// each row at its length (outputs past it are zero) and pooling layers read only the valid steps, so a padded row
/// gives exactly what the row alone would.
/// </param>
public sealed record LayerContext(SeededRng? Rng = null, WorkerPool? Pool = null, int[]? Lengths = null)
{
    /// <summary>No dropout randomness, no pool.</summary>
    public static LayerContext None { get; } = new();
}
