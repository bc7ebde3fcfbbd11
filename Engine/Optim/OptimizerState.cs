using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// The exportable state of an <see cref="Optimizer{T}"/>: the algorithm, the current learning rate and, per
/// parameter (same order as <see cref="Optimizer{T}.Parameters"/>), its step count and moment buffers.
/// Checkpoints store the buffers as tensors named <c>optim.{param}.{slot}</c> (slot names below) and the rest
/// in the JSON metadata.
/// </summary>
public sealed record OptimizerState<T>(OptimizerKind Kind, double LearningRate, IReadOnlyList<ParameterState<T>> Parameters)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// The exporting optimizer's <see cref="Optimizer{T}.Hyperparameters"/>; <see cref="Optimizer{T}.ImportState"/> refuses a
    /// state whose values differ from the receiving optimizer's. Null (a state built by hand, or read from a checkpoint
    /// written before they were recorded): not compared.
    /// </summary>
    public IReadOnlyDictionary<string, double>? Hyperparameters { get; init; }
}

/// <summary>
/// One parameter's optimizer state. Unused slots are null: SGD uses <see cref="MomentumBuffer"/> (null until
/// the first step with momentum); Adam and AdamW use <see cref="ExpAvg"/> (m) and <see cref="ExpAvgSq"/> (v).
/// <see cref="Step"/> counts the updates this parameter received (Adam's t).
/// </summary>
public sealed record ParameterState<T>(long Step, Tensor<T>? MomentumBuffer = null, Tensor<T>? ExpAvg = null, Tensor<T>? ExpAvgSq = null)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Slot name of <see cref="MomentumBuffer"/> (PyTorch's name).</summary>
    public const string MomentumBufferSlot = "momentum_buffer";

    /// <summary>Slot name of <see cref="ExpAvg"/> (PyTorch's name).</summary>
    public const string ExpAvgSlot = "exp_avg";

    /// <summary>Slot name of <see cref="ExpAvgSq"/> (PyTorch's name).</summary>
    public const string ExpAvgSqSlot = "exp_avg_sq";

    /// <summary>The non-null buffers with their slot names.</summary>
    public IEnumerable<(string Slot, Tensor<T> Buffer)> Buffers()
    {
        if (MomentumBuffer is not null) yield return (MomentumBufferSlot, MomentumBuffer);
        if (ExpAvg is not null) yield return (ExpAvgSlot, ExpAvg);
        if (ExpAvgSq is not null) yield return (ExpAvgSqSlot, ExpAvgSq);
    }

    /// <summary>A copy whose buffers are cloned (no storage shared with this one).</summary>
    public ParameterState<T> DeepCopy() => new(Step, MomentumBuffer?.Clone(), ExpAvg?.Clone(), ExpAvgSq?.Clone());
}
