using System.Diagnostics.CodeAnalysis;

namespace SeqLearn.Data;

/// <summary>
/// The padded training batches of one caller at a time (one micro-batch part), kept for reuse, one per shape: a step whose
/// shape was seen before refills that batch and allocates nothing. A batch stays valid until the next step of the same
/// caller (the graph of one step is done before the next). At most <see cref="Budget"/> ids are kept; beyond that a new
/// shape gets a batch of its own each time.
/// </summary>
internal sealed class BatchBuffers<TBatch> where TBatch : class
{
    /// <summary>The most ids (over every kept batch) kept for reuse.</summary>
    public const long Budget = 1 << 22;

    private readonly Dictionary<(int, int, int), TBatch> _batches = [];
    private long _kept;
    private int[] _rows = [];

    /// <summary>The batch kept for <paramref name="shape"/>, if any.</summary>
    public bool TryGet((int, int, int) shape, [MaybeNullWhen(false)] out TBatch batch) => _batches.TryGetValue(shape, out batch);

    /// <summary><paramref name="batch"/> of <paramref name="shape"/>, kept for the next step of that shape while the budget allows.</summary>
    public TBatch Keep((int, int, int) shape, TBatch batch, long ids)
    {
        if (_kept + ids <= Budget)
        {
            _batches.Add(shape, batch);
            _kept += ids;
        }
        return batch;
    }

    /// <summary>
    /// The rows at positions <paramref name="part"/>, <paramref name="part"/> + <paramref name="parts"/>, … of
    /// <paramref name="ordered"/> (a micro-batch part), in a buffer of this caller's, valid until its next call.
    /// </summary>
    public ReadOnlySpan<int> Alternate(ReadOnlySpan<int> ordered, int part, int parts)
    {
        int count = part < ordered.Length ? (ordered.Length - part + parts - 1) / parts : 0;
        if (_rows.Length < count) _rows = new int[count];
        for (int k = 0; k < count; k++) _rows[k] = ordered[part + k * parts];
        return _rows.AsSpan(0, count);
    }
}
