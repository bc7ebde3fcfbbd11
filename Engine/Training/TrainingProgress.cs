namespace SeqLearn.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum ProgressKind
{
    /// <summary>Periodic report of training steps (every <see cref="TrainingOptions.ProgressEvery"/> steps).</summary>
    Step,
    /// <summary>An evaluation on the validation stream just finished (<see cref="TrainingProgress.ValidLoss"/> is set).</summary>
    Evaluation,
}

/// <summary>
/// A live progress report. Losses are mean cross-entropies in nats per token; perplexity = exp(loss),
/// bits per token (bits per character for a char model) = loss / ln 2.
/// </summary>
/// <param name="Kind">Step or evaluation report.</param>
/// <param name="Step">Global optimizer steps so far.</param>
/// <param name="Epoch">Completed passes over the training stream.</param>
/// <param name="Window">The window index within the current epoch (the next window to train on).</param>
/// <param name="WindowsPerEpoch">Windows in one epoch.</param>
/// <param name="TrainLoss">Mean training loss over the steps since the previous report of the same kind (NaN if none).</param>
/// <param name="ValidLoss">The validation loss of this evaluation (evaluation reports only).</param>
/// <param name="BestValidLoss">The lowest validation loss so far (+∞ before the first evaluation).</param>
/// <param name="LearningRate">The learning rate in effect.</param>
/// <param name="TokensPerSecond">Training tokens (B·T per step) per second of training time in this run.</param>
/// <param name="TrainingTime">Training time in this run (evaluations excluded).</param>
/// <param name="Fraction">Estimated fraction of the run done, in [0, 1].</param>
/// <param name="Eta">Estimated training time left, when it can be estimated.</param>
public sealed record TrainingProgress(ProgressKind Kind, long Step, int Epoch, int Window, int WindowsPerEpoch, double TrainLoss,
    double? ValidLoss, double BestValidLoss, double LearningRate, double TokensPerSecond, TimeSpan TrainingTime, double Fraction, TimeSpan? Eta)
{
    /// <summary>exp(train loss).</summary>
    public double Perplexity => Math.Exp(TrainLoss);

    /// <summary>Train loss / ln 2: bits per character for a character model.</summary>
    public double BitsPerToken => TrainLoss / Math.Log(2);
}

/// <summary>Why a training run stopped.</summary>
public enum StopReason
{
    /// <summary>The requested number of epochs was completed.</summary>
    Epochs,
    /// <summary>The time budget was used up.</summary>
    TimeBudget,
    /// <summary>The step limit was reached.</summary>
    MaxSteps,
    /// <summary>The validation loss did not improve for <see cref="TrainingOptions.Patience"/> evaluations.</summary>
    EarlyStopping,
    /// <summary>The cancellation token was signalled.</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="LanguageModelTrainer{T}.Train"/>.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Steps">Global optimizer steps at the end (including those before a resume).</param>
/// <param name="Epoch">Completed epochs at the end.</param>
/// <param name="StepLosses">The training loss of every step of this run, in order (as computed, in float or double).</param>
/// <param name="FinalValidLoss">The validation loss of the final evaluation.</param>
/// <param name="BestValidLoss">The lowest validation loss seen (also before a resume).</param>
/// <param name="BestStep">The step at which <paramref name="BestValidLoss"/> was measured.</param>
/// <param name="TrainingTime">Training time of this run, evaluations excluded.</param>
/// <param name="EvaluationTime">Time spent evaluating in this run.</param>
/// <param name="TokensPerSecond">Training tokens per second of training time in this run.</param>
public sealed record TrainingResult(StopReason Reason, long Steps, int Epoch, IReadOnlyList<double> StepLosses, double FinalValidLoss,
    double BestValidLoss, long BestStep, TimeSpan TrainingTime, TimeSpan EvaluationTime, double TokensPerSecond);

/// <summary>Accumulated wall-clock time of the phases of a training step (a profile; not saved in checkpoints).</summary>
/// <param name="Forward">Zeroing the gradients, the forward pass and the loss.</param>
/// <param name="Backward">The backward pass.</param>
/// <param name="Clip">The global gradient norm and clipping.</param>
/// <param name="Optimizer">The optimizer update.</param>
public sealed record StepTimings(TimeSpan Forward, TimeSpan Backward, TimeSpan Clip, TimeSpan Optimizer)
{
    /// <summary>The sum of the phases.</summary>
    public TimeSpan Total => Forward + Backward + Clip + Optimizer;
}

/// <summary>
/// Training diverged: the loss or the global gradient norm became NaN or ±∞. Nothing was applied for that step
/// (the optimizer never sees a non-finite gradient).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for global step <paramref name="step"/> (1-based: the step being computed).</summary>
    public TrainingDivergedException(long step, string quantity, double value, string? parameter = null)
        : base($"training diverged at step {step}: the {quantity} is {value}" +
               (parameter is null ? "" : $" (first non-finite gradient: '{parameter}')") + "; try a lower learning rate or clipping.")
    {
        Step = step;
        Quantity = quantity;
        Value = value;
        Parameter = parameter;
    }

    /// <summary>The 1-based global step whose loss or gradient was not finite.</summary>
    public long Step { get; }

    /// <summary>"loss" or "gradient norm".</summary>
    public string Quantity { get; }

    /// <summary>The non-finite value.</summary>
    public double Value { get; }

    /// <summary>The first parameter with a non-finite gradient, if that is what failed.</summary>
    public string? Parameter { get; }
}

/// <summary>A checkpoint that cannot resume this trainer (another trainer version, model config, batch size or BPTT length).</summary>
public sealed class IncompatibleCheckpointException(string message) : Exception(message);
