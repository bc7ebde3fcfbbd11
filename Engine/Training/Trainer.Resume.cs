using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

// Resuming. Every field of the checkpoint is read and checked first (ReadResume), the best weights of RestoreBestWeights
// are found and checked next, and only then does anything change (ApplyResume): a refused checkpoint leaves the weights,
// the optimizer, the schedule, the RNG, the position and the task as they were (docs/training.md#5-checkpoints-and-resume).
public sealed partial class Trainer<T>
{
    // Everything a resume sets, read from a checkpoint and checked.
    private sealed record ResumePoint(
        CheckpointData<T> Data, JsonObject Schedule, JsonObject? TaskState, RngState Rng, int Epoch, int Batch,
        double BestMetric, long BestStep, int BadEvaluations, double PatienceBest, long ScheduledBestStep, double BestLoss);

    /// <summary>
    /// Loads <paramref name="directory"/> (see <see cref="Checkpoint.Load{T}"/>) and resumes from it, as
    /// <see cref="Resume(CheckpointData{T}, string)"/> does.
    /// </summary>
    public void Resume(string directory) => Resume(Checkpoint.Load<T>(directory), directory);

    /// <summary>
    /// Resumes from <paramref name="data"/>, the checkpoint loaded from <paramref name="directory"/> (see
    /// <see cref="Resume(CheckpointData{T})"/>). With <see cref="TrainingOptions.RestoreBestWeights"/>, the best weights so far
    /// come from the checkpoint beside it of the best scheduled evaluation the checkpoint records: the trainer's DIR/best next
    /// to DIR/last, or DIR/scheduled-best while DIR/best holds the final evaluation of the interrupted run; the resume is
    /// refused when neither holds them.
    /// </summary>
    public void Resume(CheckpointData<T> data, string directory)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(directory);
        var point = ReadResume(data);
        ApplyResume(point, BestWeightsToRestore(point, directory));
    }

    /// <summary>
    /// Restores weights, optimizer, RNG, schedule, loop position and task state from a checkpoint of this trainer, after
    /// checking all of it: a refused checkpoint changes nothing. Throws <see cref="IncompatibleCheckpointException"/> when it
    /// was written by another trainer kind or version, or for another model config, vocabulary, monitored metric, micro-batch
    /// count, optimizer (kind, settings or state), schedule kind, set of parameter names and shapes, or task setting (a batch
    /// index outside this task's epoch included), or when its position is impossible (a negative step, epoch or patience
    /// counter, more epochs or evaluations than steps, a best step after its step). The best weights of
    /// <see cref="TrainingOptions.RestoreBestWeights"/> are not part of a checkpoint: this overload takes them from
    /// <paramref name="data"/> when its best step is its own step, and otherwise refuses the resume (use
    /// <see cref="Resume(string)"/> or <see cref="Resume(CheckpointData{T}, string)"/>, which read them from beside it).
    /// </summary>
    public void Resume(CheckpointData<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var point = ReadResume(data);
        ApplyResume(point, BestWeightsToRestore(point, directory: null));
    }

    // Reads and checks every field a resume sets; changes nothing.
    private ResumePoint ReadResume(CheckpointData<T> data)
    {
        var s = data.TrainerState ?? throw Incompatible("it has no trainer_state (not written by the trainer)");
        if (Get<string>(s, "kind") != TrainerStateKind) throw Incompatible($"its trainer_state is not {TrainerStateKind}");
        int version = Get<int>(s, "version");
        if (version != TrainerStateVersion) throw Incompatible($"trainer_state version {version}; this build reads version {TrainerStateVersion}");
        if (_task.ModelConfig is { } own && data.ModelConfig is { } stored && !JsonNode.DeepEquals(own, stored))
            throw Incompatible($"it is for the model {stored.ToJsonString()}, this model is {own.ToJsonString()}");
        if (_task.Vocabulary is { } ownVocabulary && data.Vocabulary is { } storedVocabulary && !JsonNode.DeepEquals(ownVocabulary, storedVocabulary))
            throw Incompatible("it was trained with another vocabulary than this task's (its token ids would mean other symbols)");
        string monitor = Get<string>(s, "monitor");
        if (monitor != _options.Monitor) throw Incompatible($"it monitored '{monitor}', these options monitor '{_options.Monitor}'");
        int microBatches = s["micro_batches"] is null ? 1 : Get<int>(s, "micro_batches");   // absent: written before micro-batches existed
        if (microBatches != _options.MicroBatches)
            throw Incompatible($"it was trained with {microBatches} micro-batch(es) per batch, these options split batches into {_options.MicroBatches} (the sums differ)");
        var (epoch, batch) = ReadPosition(s, data.Step);
        if (data.Optimizer is null) throw Incompatible("it has no optimizer state");
        if (data.Optimizer.Kind != _optimizer.Kind) throw Incompatible($"it was trained with {data.Optimizer.Kind}, these options use {_optimizer.Kind}");
        if (s["optimizer_settings"] is JsonObject storedSettings && !JsonNode.DeepEquals(storedSettings, OptimizerSettingsJson()))   // absent: written before it was recorded
            throw Incompatible($"it was trained with the {_optimizer.Kind} optimizer settings {storedSettings.ToJsonString()}, these options use {OptimizerSettingsJson().ToJsonString()}");
        var schedule = s["schedule"] as JsonObject ?? throw Incompatible("trainer_state field 'schedule' is missing");
        try { _schedule.CheckState(schedule); }
        catch (FormatException e) { throw Incompatible(e.Message.TrimEnd('.')); }
        if (s["run_settings"] is JsonObject storedRun && !JsonNode.DeepEquals(storedRun, RunSettingsJson()))   // absent: written before it was recorded
            throw Incompatible($"it was trained with η₀, clipping and schedule {storedRun.ToJsonString()}, these options use {RunSettingsJson().ToJsonString()} " +
                               "(the resumed run would follow other learning rates or gradients than the uninterrupted one)");
        if (!data.RngStates.TryGetValue(DropoutRng, out var rng)) throw Incompatible($"it has no '{DropoutRng}' RNG state");
        if ((rng.S0 | rng.S1 | rng.S2 | rng.S3) == 0) throw Incompatible($"its '{DropoutRng}' RNG state is all zeros, which xoshiro256** cannot continue from");
        CheckParameters(data.Parameters);
        try { _optimizer.CheckState(data.Optimizer); }
        catch (ArgumentException e) { throw Incompatible(Checks.MessageWithoutParameter(e).TrimEnd('.')); }

        long bestStep = ReadStep(s, "best_step", data.Step), scheduledBestStep = ScheduledBestStep(s);
        if (scheduledBestStep < 0 || scheduledBestStep > data.Step)
            throw Incompatible($"trainer_state field '{(s["scheduled_best_step"] is null ? "best_step" : "scheduled_best_step")}' is {scheduledBestStep}, outside the steps 0 to {data.Step} of the checkpoint");
        int badEvaluations = Get<int>(s, "bad_evaluations");
        if (badEvaluations < 0 || badEvaluations > data.Step)
            throw Incompatible($"trainer_state field 'bad_evaluations' is {badEvaluations}; a run at step {data.Step} has made 0 to {data.Step} evaluations");
        return new ResumePoint(data, schedule, s["task"] as JsonObject, rng, epoch, batch,
            s["best_metric"] is null ? WorstValue : Get<double>(s, "best_metric"), bestStep, badEvaluations,
            s["patience_best"] is null ? WorstValue : Get<double>(s, "patience_best"), scheduledBestStep,
            s["best_loss"] is null ? double.PositiveInfinity : Get<double>(s, "best_loss"));
    }

    // The loop position: each completed epoch took at least one step and batch b of the current one follows b steps of it,
    // so epoch + batch ≤ step; an epoch of int.MaxValue could not end (its count would overflow).
    private (int Epoch, int Batch) ReadPosition(JsonObject s, long step)
    {
        if (step < 0) throw Incompatible($"its step {step} is negative");
        int batch = Get<int>(s, "batch");
        if (batch < 0 || batch >= _task.BatchesPerEpoch)
            throw Incompatible($"its batch index {batch} is outside this task's {_task.BatchesPerEpoch} batches per epoch (other data, or another batch size or sequence length?)");
        int epoch = Get<int>(s, "epoch");
        if (epoch < 0 || epoch == int.MaxValue || (long)epoch + batch > step)
            throw Incompatible($"trainer_state field 'epoch' is {epoch}; a run at step {step} and batch {batch} has completed 0 to {Math.Max(0, Math.Min(step - batch, int.MaxValue - 1))} epochs");
        return (epoch, batch);
    }

    private static long ReadStep(JsonObject s, string key, long step)
    {
        long value = Get<long>(s, key);
        if (value < 0 || value > step) throw Incompatible($"trainer_state field '{key}' is {value}, outside the steps 0 to {step} of the checkpoint");
        return value;
    }

    // RestoreBestWeights: the weights of the best scheduled evaluation, from the checkpoint itself when that is its step, else
    // from DIR/best or DIR/scheduled-best beside directory; null when there are none to restore yet. Checked against the model.
    private CheckpointData<T>? BestWeightsToRestore(ResumePoint point, string? directory)
    {
        long bestStep = point.ScheduledBestStep;
        if (!_options.RestoreBestWeights || bestStep == 0) return null;
        CheckpointData<T>? best;
        if (bestStep == point.Data.Step) best = point.Data;
        else if (directory is null)
            throw Incompatible($"RestoreBestWeights needs the weights of its best step {bestStep}, which a checkpoint of step {point.Data.Step} does not hold: " +
                               "resume from its directory, whose best checkpoint holds them");
        else
        {
            string parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))) ?? ".";
            best = BestWeightsOfStep(parent, bestStep)
                   ?? throw Incompatible($"RestoreBestWeights needs the weights of its best step {bestStep}, and neither {Path.Combine(parent, "best")} nor {Path.Combine(parent, ScheduledBestDirectory)} holds them");
        }
        CheckParameters(best.Parameters);
        return best;
    }

    // Sets everything ReadResume read. The task's own checks (its settings against its data) come first: it changes
    // nothing when it refuses, and nothing below throws.
    private void ApplyResume(ResumePoint point, CheckpointData<T>? best)
    {
        var data = point.Data;
        _task.RestoreState(point.TaskState);
        RestoreParameters(data.Parameters);
        _optimizer.ImportState(data.Optimizer!);
        RestoreGradientBuffers(data.Optimizer!);
        _schedule.RestoreState(point.Schedule);
        _dropoutRng.SetState(point.Rng);
        (Step, Epoch, Batch) = (data.Step, point.Epoch, point.Batch);
        _badEvaluations = point.BadEvaluations;
        (_patienceBest, _scheduledBestStep) = (point.PatienceBest, point.ScheduledBestStep);
        // The uninterrupted run never made the interrupted run's final evaluation: continue from the best scheduled one.
        bool scheduled = point.BestStep == point.ScheduledBestStep;
        (BestMetric, BestStep) = scheduled ? (point.BestMetric, point.BestStep) : (point.PatienceBest, point.ScheduledBestStep);
        _finalEvaluationBest = scheduled ? null : (point.BestStep, point.BestMetric);
        _resumedAtBest = point.ScheduledBestStep > 0 && point.ScheduledBestStep == data.Step;
        _bestLoss = point.BestLoss;
        if (best is null) _bestWeights = null;
        else
        {
            var byName = best.Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
            _bestWeights = [.. DistinctNamedParameters().Select(p => byName[p.Key].ToArray())];
        }
    }
}
