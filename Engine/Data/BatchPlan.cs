using SeqLearn.Tensors;

namespace SeqLearn.Data;

/// <summary>
/// Which examples form each batch of an epoch, as lists of example indices. Every plan is a function of the example
/// count (and lengths), the batch size, a seed and the epoch number alone, so a run resumed at epoch e batch i rebuilds
/// exactly the batches the uninterrupted run used (docs/training.md#3-batches).
/// </summary>
public static class BatchPlan
{
    /// <summary>Batches of consecutive examples in file order (evaluation); the last batch may be smaller.</summary>
    public static int[][] InOrder(int count, int batchSize)
    {
        CheckSizes(count, nameof(count), batchSize, nameof(InOrder));
        var batches = new int[ShapeUtil.CeilDiv(count, batchSize)][];
        for (int i = 0; i < batches.Length; i++)
        {
            int start = i * batchSize, n = Math.Min(batchSize, count - start);
            batches[i] = Enumerable.Range(start, n).ToArray();
        }
        return batches;
    }

    /// <summary>
    /// The examples in a seeded random order (Fisher–Yates with <see cref="SeededRng"/>(seed ⊕ 0x9E3779B97F4A7C15 · (epoch + 1)),
    /// the product wrapping) cut into batches of <paramref name="batchSize"/>; the last batch may be smaller.
    /// </summary>
    public static int[][] Shuffled(int count, int batchSize, ulong seed, int epoch)
    {
        CheckSizes(count, nameof(count), batchSize, nameof(Shuffled));
        var order = Permutation(count, EpochRng(seed, epoch, nameof(Shuffled)));
        return Chunk(order, batchSize);
    }

    /// <summary>
    /// Length bucketing: shuffle the examples, take pools of <paramref name="poolBatches"/> × B of them, sort each pool by
    /// length (stable, so ties keep the shuffled order), cut the pools into batches of B, then shuffle the batches. Rows of
    /// a batch then have similar lengths (little padding) while every epoch still sees new batches in a new order.
    /// </summary>
    public static int[][] Bucketed(IReadOnlyList<int> lengths, int batchSize, ulong seed, int epoch, int poolBatches = 50)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        CheckSizes(lengths.Count, nameof(lengths), batchSize, nameof(Bucketed));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolBatches);
        for (int i = 0; i < lengths.Count; i++)
            if (lengths[i] < 0) throw new ArgumentOutOfRangeException(nameof(lengths), $"BatchPlan.Bucketed: length {i} is {lengths[i]}; a length is ≥ 0.");
        var rng = EpochRng(seed, epoch, nameof(Bucketed));
        var order = Permutation(lengths.Count, rng);
        long poolSize = Math.Min((long)poolBatches * batchSize, lengths.Count);
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += (int)poolSize)
        {
            var pool = order.AsSpan(start, (int)Math.Min(poolSize, order.Length - start)).ToArray();
            var sorted = pool.OrderBy(i => lengths[i]).ToArray();     // OrderBy is stable
            batches.AddRange(Chunk(sorted, batchSize));
        }
        var batchOrder = Permutation(batches.Count, rng);
        return batchOrder.Select(i => batches[i]).ToArray();
    }

    /// <summary>A seeded random permutation of 0..n−1 (Fisher–Yates from the end).</summary>
    public static int[] Permutation(int n, SeededRng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentNullException.ThrowIfNull(rng);
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    // One generator per (seed, epoch): the epoch's batches never depend on how many draws earlier epochs made. Epochs count
    // from 0; a negative one would wrap onto another epoch's generator (−1 onto the seed itself).
    private static SeededRng EpochRng(ulong seed, int epoch, string op) => epoch >= 0
        ? new(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)))
        : throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"BatchPlan.{op}: epochs count from 0, got {epoch}.");

    private static int[][] Chunk(int[] order, int batchSize)
    {
        var batches = new int[ShapeUtil.CeilDiv(order.Length, batchSize)][];
        for (int i = 0; i < batches.Length; i++)
            batches[i] = order.AsSpan(i * batchSize, Math.Min(batchSize, order.Length - i * batchSize)).ToArray();
        return batches;
    }

    private static void CheckSizes(int count, string countName, int batchSize, string op)
    {
        if (count < 1) throw new ArgumentException($"BatchPlan.{op}: there are no examples to batch (count {count}).", countName);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"BatchPlan.{op}: batch size must be ≥ 1, got {batchSize}.");
    }
}
