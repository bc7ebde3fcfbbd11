using System.Globalization;

namespace SeqLearn.Training;

/// <summary>
/// Checks, before anything is allocated, that a model can be trained in the memory the process may use.
/// Training holds, per parameter, its value, its gradient and Adam's two moment estimates m and v, and per batch the
/// activations the graph keeps for the backward pass and their gradients:
/// <code>
/// bytes ≈ (P · F + A) · s      P parameters, F = TrainingCopies = 4, A activation values of one batch, s bytes per value
/// </code>
/// A comes from each task's estimate (e.g. <c>LanguageModelConfig.ActivationValues</c>: 2·B·T·(E + L·(G + 3)·H + 2·V)
/// for a language model); it counts the tensors that scale with the batch, not the workspace of a kernel, so the
/// total is an estimate that errs low: a model that fails it cannot train.
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

    /// <summary>≈ (P · F + A) · s bytes, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
    public static long TrainingBytes(long parameters, int bytesPerValue, long activationValues = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(activationValues);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerValue, 1);
        return Saturate(((double)parameters * TrainingCopies + activationValues) * bytesPerValue);
    }

    /// <summary>A count computed in double precision, rounded down and saturated to [0, <see cref="long.MaxValue"/>] (sizes from options never overflow).</summary>
    public static long Saturate(double count) => Checks.Saturate(count);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> ("needs ≈ X GB, Y GB available") when training <paramref name="parameters"/>
    /// values of <paramref name="bytesPerValue"/> bytes, with <paramref name="activationValues"/> activation values per batch,
    /// cannot fit in <paramref name="availableBytes"/> (default <see cref="AvailableBytes"/>); its <see cref="ArgumentException.ParamName"/>
    /// is <c>parameters</c>, or <c>activationValues</c> when the parameters alone would fit.
    /// </summary>
    public static void EnsureTrainingFits(long parameters, int bytesPerValue, string what, long activationValues = 0, long? availableBytes = null)
    {
        long needed = TrainingBytes(parameters, bytesPerValue, activationValues), available = availableBytes ?? AvailableBytes;
        if (needed > available)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what} has {parameters:N0} parameters; training needs ≈ {needed / 1e9:F1} GB (value, gradient and Adam's m and v, " +
                $"{bytesPerValue} bytes each{(activationValues > 0 ? $", and ≈ {Saturate((double)activationValues * bytesPerValue) / 1e9:F1} GB of activations per batch" : "")}), " +
                $"{available / 1e9:F1} GB available."),
                TrainingBytes(parameters, bytesPerValue) > available ? nameof(parameters) : nameof(activationValues));
    }
}
