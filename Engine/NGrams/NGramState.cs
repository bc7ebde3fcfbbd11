namespace SeqLearn.NGrams;

/// <summary>
/// Scoring state of a <see cref="BackoffModel"/>: the last words that can still extend to a stored n-gram
/// (at most N−1, most recent last) and the log10 back-off weight of each of those suffixes, so scoring the
/// next word needs only the lookups of the n-grams that actually match (as KenLM's state).
/// </summary>
public sealed class NGramState
{
    internal readonly int[] History;
    internal readonly float[] Backoff; // Backoff[j]: log10 bo of the context made of the last j+1 history words
    internal readonly int[] Slot;      // Slot[j]: where that (j+1)-gram sits in the scoring index (word id for j = 0)
    internal int Length;
    private readonly int _order;     // N of the model the state is for

    /// <summary>N of the model the state is for.</summary>
    internal int Order => _order;

    /// <summary>An empty state for a model of <paramref name="order"/> (in [1, <see cref="NGramCounts.MaxOrder"/>]).</summary>
    public NGramState(int order)
    {
        if (order < 1 || order > NGramCounts.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"NGramState: the order must be in [1, {NGramCounts.MaxOrder}], got {order}.");
        _order = order;
        History = new int[Math.Max(1, order - 1)];
        Backoff = new float[Math.Max(1, order - 1)];
        Slot = new int[Math.Max(1, order - 1)];
    }

    /// <summary>Number of history words kept.</summary>
    public int Count => Length;

    /// <summary>The kept history, oldest first.</summary>
    public ReadOnlySpan<int> Words => new(History, 0, Length);

    /// <summary>Copies <paramref name="other"/>, a state of the same order, into this state.</summary>
    public void CopyFrom(NGramState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._order != _order)
            throw new ArgumentException($"NGramState.CopyFrom: the state is for order {other._order}, this one for order {_order}.", nameof(other));
        other.History.AsSpan(0, other.Length).CopyTo(History);
        other.Backoff.AsSpan(0, other.Length).CopyTo(Backoff);
        other.Slot.AsSpan(0, other.Length).CopyTo(Slot);
        Length = other.Length;
    }
}
