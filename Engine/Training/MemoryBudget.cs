namespace SeqLearn.Training;

/// <summary>
/// Checks, before anything is allocated, that a model can be trained in the memory the process may use.
/// Training holds, per parameter, its value, its gradient and Adam's two moment estimates m and v:
/// <code>
/// bytes ≈ P · s · F      P parameters, s bytes per value, F = TrainingCopies = 4
/// </code>
/// Activations come on top (they scale with B·T, not with P), so the estimate is a lower bound: a model that fails
/// it cannot train at all.
/// </summary>
public static class MemoryBudget
{
    /// <summary>F: copies of every parameter during training (value, gradient, Adam's m and v).</summary>
    public const int TrainingCopies = 4;

    /// <summary>Bytes the process may use: the GC's limit (the machine's memory or the container's limit).</summary>
    public static long AvailableBytes
    {
        get
        {
            long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return available > 0 ? available : long.MaxValue;
        }
    }

    /// <summary>≈ P · s · F bytes, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
    public static long TrainingBytes(long parameters, int bytesPerValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerValue, 1);
        double bytes = (double)parameters * bytesPerValue * TrainingCopies;
        return bytes >= long.MaxValue ? long.MaxValue : (long)bytes;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> ("needs ≈ X GB, Y GB available") when training <paramref name="parameters"/>
    /// values of <paramref name="bytesPerValue"/> bytes cannot fit in <paramref name="availableBytes"/> (default <see cref="AvailableBytes"/>).
    /// </summary>
    public static void EnsureTrainingFits(long parameters, int bytesPerValue, string what, long? availableBytes = null)
    {
        long needed = TrainingBytes(parameters, bytesPerValue), available = availableBytes ?? AvailableBytes;
        if (needed > available)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{what} has {parameters:N0} parameters; training needs ≈ {needed / 1e9:F1} GB (value, gradient and Adam's m and v, " +
                $"{bytesPerValue} bytes each), {available / 1e9:F1} GB available."));
    }
}
