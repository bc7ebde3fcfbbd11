using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Training;

/// <summary>
/// What a sequence task supplies to the one <see cref="Trainer{T}"/>: its batches, the loss of a batch, its
/// evaluation metrics, and whatever else a resumed run needs. The trainer owns everything else (optimizer, schedule,
/// clipping, stopping, evaluation cadence, checkpoints, the metrics log). Language modelling, translation,
/// classification and forecasting are each one implementation (docs/training.md).
/// </summary>
public interface ITrainingTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Training batches in one epoch (an epoch is one pass over the training data).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// The mean loss of training batch <paramref name="batch"/> of epoch <paramref name="epoch"/> (0-based), with its graph
    /// recorded; the model is in training mode. The batch order of an epoch must be a function of the epoch and the task's
    /// seed alone (a resumed run recomputes it). <paramref name="context"/> carries the dropout RNG and the worker pool.
    /// </summary>
    TaskLoss<T> TrainingLoss(int epoch, int batch, LayerContext context);

    /// <summary>
    /// The validation metrics by name (at least the one the trainer monitors; "loss" is the mean validation loss),
    /// computed in evaluation mode without a graph. The model is switched back to training mode afterwards by the trainer.
    /// </summary>
    IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool);

    /// <summary>The model's configuration for checkpoints (its <c>type</c> names the model kind), or null.</summary>
    JsonObject? ModelConfig { get; }

    /// <summary>The vocabulary (or other data description) stored in checkpoints as is, or null.</summary>
    JsonNode? Vocabulary { get; }

    /// <summary>
    /// A validation loss above this means the run diverged (e.g. 10 · ln V for a model over V classes or tokens, whose
    /// untrained, uniform prediction scores ln V), or null when the task has no such scale. The trainer also stops on a
    /// non-finite loss and on a loss 1000 times its best that is also above a tenth of this bound (worse than untrained).
    /// </summary>
    double? DivergedLoss => null;

    /// <summary>Task state a resumed run needs to continue bit-exactly (a carried hidden state, data settings), or null.</summary>
    JsonObject? SaveState();

    /// <summary>
    /// Restores <see cref="SaveState"/>'s output (null when it saved none). Throws <see cref="IncompatibleCheckpointException"/>
    /// when it was written for other data or settings.
    /// </summary>
    void RestoreState(JsonObject? state);
}

/// <summary>The loss of one training batch.</summary>
/// <param name="Loss">The scalar loss (mean over the batch's predictions) with its graph.</param>
/// <param name="Tokens">The batch's size for throughput: predicted tokens (language model, translation), input tokens
/// (classification) or input steps B·T (forecasting windows).</param>
public readonly record struct TaskLoss<T>(Var<T> Loss, long Tokens) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>Whether a monitored metric is better when lower (a loss) or higher (accuracy, BLEU).</summary>
public enum MetricGoal
{
    /// <summary>Lower is better.</summary>
    Minimize,
    /// <summary>Higher is better.</summary>
    Maximize,
}
