using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

// Saving and resuming. A checkpoint holds everything the next step depends on, so a resumed run computes exactly the
// losses the uninterrupted run would have (docs/training.md#5-checkpoints-and-resume):
//   weights θ                                                                               → weights.safetensors
//   optimizer buffers (m, v or the momentum b), per-parameter step counts, η                 → optimizer.safetensors, checkpoint.json
//   step, dropout RNG state, model config (its "type" names the model kind), vocabulary       → checkpoint.json
//   trainer state: epoch, batch index, best monitored value and step, the patience counter with its best value and step
//   (the best scheduled evaluation), the lowest validation loss (divergence check), schedule counters, and the task's own
//   state (e.g. a language model's carried hidden state)                                     → checkpoint.json
public sealed partial class Trainer<T>
{
    /// <summary>Identifies this trainer's <c>trainer_state</c> in a checkpoint.</summary>
    public const string TrainerStateKind = "seqlearn.trainer";

    /// <summary>The version of the <c>trainer_state</c> layout this build writes and reads.</summary>
    public const int TrainerStateVersion = 2;

    private const string DropoutRng = "dropout";

    /// <summary>Writes a resumable checkpoint to <paramref name="directory"/> atomically (<see cref="Checkpoint.Save{T}"/>).</summary>
    public void SaveCheckpoint(string directory)
    {
        var trainer = new JsonObject
        {
            ["kind"] = TrainerStateKind,
            ["version"] = TrainerStateVersion,
            ["epoch"] = Epoch,
            ["batch"] = Batch,
            ["monitor"] = _options.Monitor,
            ["micro_batches"] = _options.MicroBatches,
            ["optimizer_settings"] = OptimizerSettingsJson(),
            ["run_settings"] = RunSettingsJson(),
            ["best_metric"] = FiniteOrNull(BestMetric),
            ["best_step"] = BestStep,
            ["bad_evaluations"] = _badEvaluations,
            ["patience_best"] = FiniteOrNull(_patienceBest),
            ["scheduled_best_step"] = _scheduledBestStep,
            ["best_loss"] = FiniteOrNull(_bestLoss),
            ["schedule"] = _schedule.SaveState(),
            ["task"] = _task.SaveState(),
        };
        Checkpoint.Save(directory, new CheckpointData<T>
        {
            Parameters = DistinctNamedParameters().Select(p => new NamedTensor<T>(p.Key, p.Value.Value.Clone())).ToArray(),
            Optimizer = _optimizer.ExportState(),
            Step = Step,
            ModelConfig = _task.ModelConfig?.DeepClone().AsObject(),
            Vocabulary = _task.Vocabulary?.DeepClone(),
            TrainerState = trainer,
            RngStates = new Dictionary<string, RngState> { [DropoutRng] = _dropoutRng.GetState() },
        });
    }

    // The run owns its checkpoint directory while it trains: a second run on it is refused, and a best/last write that a
    // crash stopped inside its rename sequence is completed or rolled back before this run writes (docs/checkpoints.md);
    // best/last holding anything but checkpoint files is an error before the first step.
    private CheckpointDirectoryLock? LockCheckpointDirectory()
    {
        if (_options.CheckpointDirectory is not { } dir) return null;
        var held = CheckpointDirectoryLock.Acquire(dir);
        try
        {
            foreach (string name in new[] { "best", "last", ScheduledBestDirectory })
            {
                AtomicFile.EnsureWritable(Path.Combine(dir, name));   // other files there: refused before training, not at its first save
                CheckpointRecovery.Recover(Path.Combine(dir, name));
            }
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Each distinct parameter once, under its first dotted name, in the order of <c>Module.Parameters()</c> (the
    /// optimizer's order): a tied leaf, listed under each of its names by <c>NamedParameters</c>, is stored and restored once.
    /// </summary>
    private IEnumerable<KeyValuePair<string, Var<T>>> DistinctNamedParameters() =>
        _model.NamedParameters().DistinctBy(p => p.Value, ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A parameter that has been updated keeps a gradient buffer from then on (the trainer zeroes gradients, it does not
    /// drop them), so the optimizer keeps updating it on steps whose graph does not reach it (momentum, Adam's moments,
    /// weight decay). A fresh model has no buffers: give one, zeroed, to every parameter the restored state says was
    /// updated, so the resumed run updates the same parameters as the uninterrupted one.
    /// </summary>
    private void RestoreGradientBuffers(OptimizerState<T> state)
    {
        for (int i = 0; i < _parameters.Length; i++)
            if (state.Parameters[i].Step > 0 && _parameters[i].Grad is null)
                _parameters[i].Grad = Tensor<T>.ZerosLike(_parameters[i].Value);
    }

    // By dotted name (Var.Name is only the local name, e.g. "weight"): every parameter present with its shape, and no other.
    private void CheckParameters(IReadOnlyList<NamedTensor<T>> stored)
    {
        var byName = stored.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        foreach (var (name, p) in DistinctNamedParameters())
        {
            if (!byName.Remove(name, out var t)) throw Incompatible($"it has no parameter '{name}'");
            if (!t.SameShape(p.Value)) throw Incompatible($"'{name}' is {t.ShapeString} in the checkpoint, {p.Value.ShapeString} in the model");
        }
        if (byName.Count > 0) throw Incompatible($"it has parameters the model lacks: {string.Join(", ", byName.Keys)}");
    }

    // Copies the values in (CheckParameters has passed).
    private void RestoreParameters(IReadOnlyList<NamedTensor<T>> stored)
    {
        var byName = stored.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        foreach (var (name, p) in DistinctNamedParameters()) byName[name].Span.CopyTo(p.Value.Span);
    }

    // The hyperparameters of the optimizer's update that a checkpoint does not otherwise hold (η is in its state): a resumed run
    // with others would not compute what the uninterrupted run computes (momentum and Nesterov only matter to SGD).
    private JsonObject OptimizerSettingsJson()
    {
        var settings = new JsonObject { ["weight_decay"] = _options.WeightDecay };
        if (_optimizer.Kind == OptimizerKind.Sgd) (settings["momentum"], settings["nesterov"]) = (_options.Momentum, _options.Nesterov);
        return settings;
    }

    /// <summary>
    /// η₀, the clip norm and the schedule's own settings (those of its kind): the checkpoint restores η and the schedule's
    /// counters, and a resumed run with other settings would mix two runs' learning rates (a new γ on the stored η₀, a new
    /// cosine period half-way through the old one) or clip otherwise.
    /// </summary>
    internal JsonObject RunSettingsJson()
    {
        var run = new JsonObject { ["learning_rate"] = _options.LearningRate, ["clip_norm"] = _options.ClipNorm };
        switch (_options.Schedule)
        {
            case ScheduleKind.StepDecay:
                (run["step_size"], run["gamma"], run["first_decay_epoch"]) = (_options.StepSize, _options.Gamma, _options.FirstDecayEpoch ?? _options.StepSize);
                break;
            case ScheduleKind.Cosine:
                (run["cosine_epochs"], run["min_learning_rate"]) = (_options.Epochs, _options.MinLearningRate);
                break;
            case ScheduleKind.ReduceOnPlateau:
                (run["gamma"], run["plateau_patience"], run["min_learning_rate"]) = (_options.Gamma, _options.PlateauPatience, _options.MinLearningRate);
                break;
        }
        return run;
    }

    // The step of the best scheduled evaluation. A checkpoint without scheduled_best_step falls back to best_step, which
    // may be the run's final (unscheduled) evaluation.
    private static long ScheduledBestStep(JsonObject s) => s["scheduled_best_step"] is null ? Get<long>(s, "best_step") : Get<long>(s, "scheduled_best_step");

    private static JsonNode? FiniteOrNull(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw Incompatible($"trainer_state field '{key}' is missing or not a {typeof(TValue).Name}");
        return value;
    }

    /// <summary>The exception for a checkpoint that cannot resume this run, with the reason.</summary>
    public static IncompatibleCheckpointException Incompatible(string why) =>
        new($"the checkpoint cannot resume this training run: {why}.");
}
