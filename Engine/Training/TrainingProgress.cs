namespace SeqLearn.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum ProgressKind
{
    /// <summary>Periodic report of training steps (every <see cref="TrainingOptions.ProgressEvery"/> steps).</summary>
    Step,
    /// <summary>An evaluation on the validation data just finished (<see cref="TrainingProgress.Metrics"/> is set).</summary>
    Evaluation,
}

/// <summary>
/// A live progress report. Losses are mean cross-entropies in nats per token for language models (perplexity =
/// exp(loss), bits per token = loss / ln 2), and the task's own loss for other tasks.
/// </summary>
/// <param name="Kind">Step or evaluation report.</param>
/// <param name="Step">Global optimizer steps so far.</param>
/// <param name="Epoch">Completed passes over the training data.</param>
/// <param name="Batch">The batch index within the current epoch (the next batch to train on).</param>
/// <param name="BatchesPerEpoch">Batches in one epoch.</param>
/// <param name="TrainLoss">Mean training loss over the steps since the previous report of the same kind (NaN if none).</param>
/// <param name="Metrics">The validation metrics of this evaluation by name (evaluation reports only).</param>
/// <param name="Monitor">The name of the metric that picks the best checkpoint.</param>
/// <param name="Best">The best value of <paramref name="Monitor"/> so far (±∞ before the first evaluation).</param>
/// <param name="LearningRate">The learning rate in effect.</param>
/// <param name="TokensPerSecond">Training tokens per second of training time in this run.</param>
/// <param name="TrainingTime">Training time in this run (evaluations excluded).</param>
/// <param name="Fraction">Estimated fraction of the run done, in [0, 1].</param>
/// <param name="Eta">Estimated training time left, when it can be estimated.</param>
public sealed record TrainingProgress(ProgressKind Kind, long Step, int Epoch, int Batch, int BatchesPerEpoch, double TrainLoss,
    IReadOnlyDictionary<string, double>? Metrics, string Monitor, double Best, double LearningRate, double TokensPerSecond, TimeSpan TrainingTime,
    double Fraction, TimeSpan? Eta)
{
    /// <summary>The validation loss of this evaluation (the "loss" metric), or null.</summary>
    public double? ValidLoss => Metrics is not null && Metrics.TryGetValue("loss", out double v) ? v : null;

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
    /// <summary>The monitored metric did not improve for <see cref="TrainingOptions.Patience"/> evaluations.</summary>
    EarlyStopping,
    /// <summary>The cancellation token was signalled.</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="Trainer{T}.Train"/>.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Steps">Global optimizer steps at the end (including those before a resume).</param>
/// <param name="Epoch">Completed epochs at the end.</param>
/// <param name="StepLosses">The training loss of every step of this run, in order (as computed, in float or double).</param>
/// <param name="FinalMetrics">The validation metrics of the final evaluation.</param>
/// <param name="Monitor">The metric that picked the best checkpoint.</param>
/// <param name="BestMetric">The best value of <paramref name="Monitor"/> seen (also before a resume; of a resumed run, the
/// interrupted run's final evaluation excluded, as the uninterrupted run never made it).</param>
/// <param name="BestStep">The step at which <paramref name="BestMetric"/> was measured.</param>
/// <param name="TrainingTime">Training time of this run, evaluations excluded.</param>
/// <param name="EvaluationTime">Time spent evaluating in this run.</param>
/// <param name="TokensPerSecond">Training tokens per second of training time in this run.</param>
public sealed record TrainingResult(StopReason Reason, long Steps, int Epoch, IReadOnlyList<double> StepLosses,
    IReadOnlyDictionary<string, double> FinalMetrics, string Monitor, double BestMetric, long BestStep, TimeSpan TrainingTime,
    TimeSpan EvaluationTime, double TokensPerSecond)
{
    /// <summary>The "loss" metric of the final evaluation (NaN when the task reports none).</summary>
    public double FinalValidLoss => FinalMetrics.TryGetValue("loss", out double v) ? v : double.NaN;

    /// <summary>The lowest validation loss seen, when the run monitored "loss" (NaN otherwise).</summary>
    public double BestValidLoss => Monitor == "loss" ? BestMetric : double.NaN;

    // ToString's members: the step losses as their count and last value, the metrics by name (not the collections' type names).
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        builder.Append(c, $"Reason = {Reason}, Steps = {Steps}, Epoch = {Epoch}, StepLosses = {StepLosses.Count} steps");
        if (StepLosses.Count > 0) builder.Append(c, $" (last {StepLosses[^1]:G6})");
        builder.Append(", FinalMetrics = { ").AppendJoin(", ", FinalMetrics.Select(m => string.Create(c, $"{m.Key} = {m.Value:G6}"))).Append(" }");
        builder.Append(c, $", Monitor = {Monitor}, BestMetric = {BestMetric:G6}, BestStep = {BestStep}, TrainingTime = {TrainingTime}, ");
        builder.Append(c, $"EvaluationTime = {EvaluationTime}, TokensPerSecond = {TokensPerSecond:F0}");
        return true;
    }
}

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
/// Training diverged: the loss or the global gradient norm became NaN or ±∞ (nothing was applied for that step: the
/// optimizer never sees a non-finite gradient), or an evaluation became absurd (a non-finite monitored metric, or a
/// validation loss that is non-finite, far above an untrained model's, or orders of magnitude above the best so far;
/// nothing of that evaluation was saved).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for global step <paramref name="step"/> (1-based: the step being computed).</summary>
    public TrainingDivergedException(long step, string quantity, double value, string? parameter = null, string? reason = null)
        : base($"training diverged at step {step}: the {quantity} is {value}" + (reason is null ? "" : $" ({reason})") +
               (parameter is null ? "" : $" (first non-finite gradient: '{parameter}')") + "; try a lower learning rate or clipping.")
    {
        Step = step;
        Quantity = quantity;
        Value = value;
        Parameter = parameter;
    }

    /// <summary>The 1-based global step whose loss or gradient was not finite, or the step after which validation failed.</summary>
    public long Step { get; }

    /// <summary>"loss", "gradient norm", "validation loss", or "validation NAME" for a non-finite monitored metric NAME.</summary>
    public string Quantity { get; }

    /// <summary>The offending value.</summary>
    public double Value { get; }

    /// <summary>The first parameter with a non-finite gradient, if that is what failed.</summary>
    public string? Parameter { get; }
}

/// <summary>A checkpoint that cannot resume this trainer (another trainer version, model config, task or data settings).</summary>
public sealed class IncompatibleCheckpointException(string message) : Exception(message);
