using SeqLearn.Nn;

namespace SeqLearn.Training;

/// <summary>
/// A task whose batches split into micro-batches (<see cref="TrainingOptions.MicroBatches"/>): part p of P of a batch is
/// a fixed subset of its rows, chosen from the batch alone (never from the thread count), and its loss is scaled so that
/// the P losses add up to the batch's mean loss, L = Σ_p L_p. The trainer runs the parts side by side, one per thread,
/// each into its own gradients, and adds those in part order (docs/training.md#micro-batches).
/// </summary>
public interface IMicroBatchedTask<T> : ITrainingTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// L_p, the loss of part <paramref name="part"/> of <paramref name="parts"/> of training batch <paramref name="batch"/> of
    /// epoch <paramref name="epoch"/>, with its graph recorded: the sum of its rows' losses divided by the whole batch's count
    /// (tokens, examples or values), so that Σ_p L_p is <see cref="ITrainingTask{T}.TrainingLoss"/>'s mean. Tokens are the part's own.
    /// Called from several threads at once, one part each; <paramref name="context"/> carries the part's own dropout RNG and,
    /// when there are at least two threads per part, the part's own pool (otherwise none: the part runs on one thread).
    /// </summary>
    TaskLoss<T> TrainingLoss(int epoch, int batch, int part, int parts, LayerContext context);
}
