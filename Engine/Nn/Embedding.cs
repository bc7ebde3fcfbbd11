using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A lookup table of learned vectors, y[n, :] = W[idₙ, :] with W (V, E), as PyTorch's <c>nn.Embedding</c>
/// (parameter <c>weight</c>, default init N(0, 1)). The backward scatter-adds into the rows that were looked up
/// (<see cref="Ops.GatherRows{T}(Var{T}, ReadOnlySpan{int}, int)"/>).
/// </summary>
public sealed class Embedding<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// Creates the table with every element drawn from N(0, 1) by <paramref name="rng"/>. With a
    /// <paramref name="paddingIndex"/> (PyTorch's <c>padding_idx</c>) that row starts at zero and never receives a
    /// gradient, so padded positions look up a fixed zero vector.
    /// </summary>
    public Embedding(int numEmbeddings, int embeddingDim, SeededRng rng, int? paddingIndex = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        if (paddingIndex is { } p && (uint)p >= (uint)numEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"Embedding: padding index {p} is outside [0, {numEmbeddings}).");
        (NumEmbeddings, EmbeddingDim, PaddingIndex) = (numEmbeddings, embeddingDim, paddingIndex);
        Weight = AddParameter("weight", Tensor<T>.Normal([numEmbeddings, embeddingDim], T.Zero, T.One, rng));
        if (paddingIndex is { } pad) Weight.Value.Span.Slice(pad * embeddingDim, embeddingDim).Clear();
    }

    /// <summary>The row that stays zero and gets no gradient, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>V, the number of rows (token ids 0..V−1).</summary>
    public int NumEmbeddings { get; }

    /// <summary>E, the width of each vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>W (V, E).</summary>
    public Var<T> Weight { get; }

    /// <summary>ids (N) → (N, E). An id outside [0, V) is an error naming its position.</summary>
    public Var<T> Forward(ReadOnlySpan<int> ids) => Ops.GatherRows(Weight, ids, PaddingIndex ?? -1);

    /// <summary>ids (B·T, row-major) → (B, T, E).</summary>
    public Var<T> Forward(ReadOnlySpan<int> ids, int batch, int steps)
    {
        if (batch < 0 || steps < 0)
            throw new ArgumentOutOfRangeException(batch < 0 ? nameof(batch) : nameof(steps), $"Embedding: (B, T) = ({batch}, {steps}) has a negative size.");
        if (ids.Length != (long)batch * steps)
            throw new ArgumentException($"Embedding: {ids.Length} ids do not form (B, T) = ({batch}, {steps}).", nameof(ids));
        return Ops.Reshape(Ops.GatherRows(Weight, ids, PaddingIndex ?? -1), batch, steps, EmbeddingDim);
    }
}
