using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

/// <summary>What the <see cref="IMicroBatchedTask{T}"/> implementations share: the part check, each part's own slot and the empty part.</summary>
internal static class MicroBatchParts
{
    /// <summary>Throws unless 0 ≤ <paramref name="part"/> &lt; <paramref name="parts"/>; <paramref name="task"/> names the caller in the message.</summary>
    public static void Check(int part, int parts, string task)
    {
        if (parts < 1 || (uint)part >= (uint)parts) throw new ArgumentOutOfRangeException(nameof(part), $"{task}: part {part} of {parts}.");
    }

    /// <summary>
    /// Part <paramref name="part"/>'s own object of <paramref name="slots"/> (grown to <paramref name="parts"/>, made on first
    /// use), for what the part reuses from step to step while other parts run; the caller holds a lock.
    /// </summary>
    public static TSlot Own<TSlot>(ref TSlot[] slots, int part, int parts) where TSlot : class, new()
    {
        if (slots.Length < parts) Array.Resize(ref slots, parts);
        return slots[part] ??= new TSlot();
    }

    /// <summary>The loss of a part with no rows (a batch with fewer rows than parts): a constant zero, no graph, no tokens.</summary>
    public static TaskLoss<T> Empty<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(new Var<T>(Tensor<T>.Scalar(T.Zero)), 0);
}
