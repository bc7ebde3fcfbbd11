using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

/// <summary>What the <see cref="IMicroBatchedTask{T}"/> implementations share: the part check, the alternate split and the empty part.</summary>
internal static class MicroBatchParts
{
    /// <summary>Throws unless 0 ≤ <paramref name="part"/> &lt; <paramref name="parts"/>; <paramref name="task"/> names the caller in the message.</summary>
    public static void Check(int part, int parts, string task)
    {
        if (parts < 1 || (uint)part >= (uint)parts) throw new ArgumentOutOfRangeException(nameof(part), $"{task}: part {part} of {parts}.");
    }

    /// <summary>The rows at positions part, part + parts, … of <paramref name="ordered"/> (ordered by length, the parts get about equal tokens).</summary>
    public static int[] Alternate(IEnumerable<int> ordered, int part, int parts) => ordered.Where((_, position) => position % parts == part).ToArray();

    /// <summary>The loss of a part with no rows (a batch with fewer rows than parts): a constant zero, no graph, no tokens.</summary>
    public static TaskLoss<T> Empty<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(new Var<T>(Tensor<T>.Scalar(T.Zero)), 0);
}
