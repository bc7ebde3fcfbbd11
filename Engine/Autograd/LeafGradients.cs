using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// Gradient buffers of leaf values kept apart from their <see cref="Var{T}.Grad"/>: the backward pass of a graph recorded
/// inside <see cref="Enter()"/> adds ∂L/∂leaf into this set's buffer of each leaf instead of into the leaf's own gradient.
/// Two micro-batches of one training step can then run their backward passes at the same time on two threads over
/// the same parameters, each into its own buffers, and be summed afterwards in a fixed order (docs/training.md#micro-batches).
/// </summary>
/// <remarks>
/// A node records the set in effect (<see cref="Enter()"/>) on the thread that builds it, so the graph of a forward pass run
/// inside the scope sends its leaf gradients here, whichever threads its backward loops run on. A buffer is created, zeroed,
/// the first time a leaf receives a gradient and is kept for later passes: the owner clears it after reading it.
/// </remarks>
internal sealed class LeafGradients<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [ThreadStatic] private static LeafGradients<T>? t_active;

    private readonly Dictionary<Var<T>, Tensor<T>> _buffers = new(ReferenceEqualityComparer.Instance);

    /// <summary>The set in effect on this thread (<see cref="Enter()"/>): nodes recorded now add leaf gradients there; null means the leaves' own.</summary>
    internal static LeafGradients<T>? Active => t_active;

    /// <summary>This set's buffer for <paramref name="leaf"/>, or null when no pass has given it a gradient.</summary>
    public Tensor<T>? Of(Var<T> leaf) => _buffers.GetValueOrDefault(leaf);

    /// <summary>The buffer of <paramref name="leaf"/>, created as zeros on first use.</summary>
    internal Tensor<T> For(Var<T> leaf)
    {
        lock (_buffers)   // the loops of one backward pass (a bidirectional layer's two directions) may ask at once
        {
            if (!_buffers.TryGetValue(leaf, out var buffer))
                _buffers.Add(leaf, buffer = Tensor<T>.ZerosLike(leaf.Value));
            return buffer;
        }
    }

    /// <summary>Until the scope is disposed, nodes recorded on this thread (and a backward from a leaf) add leaf gradients into this set.</summary>
    public Scope Enter() => Enter(this);

    /// <summary>Until the scope is disposed, nodes recorded on this thread add leaf gradients into <paramref name="set"/> (null: the leaves' own).</summary>
    public static Scope Enter(LeafGradients<T>? set)
    {
        var previous = t_active;
        t_active = set;
        return new Scope(previous);
    }

    /// <summary>Restores the set that was in effect before <see cref="Enter()"/>.</summary>
    public readonly struct Scope(LeafGradients<T>? previous) : IDisposable
    {
        /// <summary>Leaves the scope.</summary>
        public void Dispose() => t_active = previous;
    }
}
