using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

// Saving and resuming. A checkpoint holds everything the next step depends on, so a resumed run computes
// exactly the losses the uninterrupted run would have (docs/lm.md#what-is-checkpointed):
//   weights θ and optimizer buffers (m, v or the momentum b, per-parameter step counts, η)   → weights.safetensors
//   step, dropout RNG state, model config, vocabulary                                        → checkpoint.json
//   trainer state: epoch, window index, the carried hidden state s (bit-exact, base64),
//   schedule counters, best validation loss and step, the patience counter and its best      → checkpoint.json
public sealed partial class LanguageModelTrainer<T>
{
    /// <summary>Identifies this trainer's <c>trainer_state</c> in a checkpoint.</summary>
    public const string TrainerStateKind = "seqlearn.lm_trainer";

    /// <summary>The version of the <c>trainer_state</c> layout this build writes and reads.</summary>
    public const int TrainerStateVersion = 1;

    private const string DropoutRng = "dropout";

    /// <summary>Writes a resumable checkpoint to <paramref name="directory"/> atomically (<see cref="Checkpoint.Save{T}"/>).</summary>
    public void SaveCheckpoint(string directory)
    {
        var trainer = new JsonObject
        {
            ["kind"] = TrainerStateKind,
            ["version"] = TrainerStateVersion,
            ["batch_size"] = _options.BatchSize,
            ["bptt"] = _options.Bptt,
            ["epoch"] = Epoch,
            ["window"] = Window,
            ["best_valid_loss"] = FiniteOrNull(BestValidLoss),
            ["best_step"] = BestStep,
            ["bad_evaluations"] = _badEvaluations,
            ["patience_best"] = FiniteOrNull(_patienceBest),
            ["schedule_epoch"] = _epochSchedule?.Epoch,
            ["schedule_base_lr"] = _epochSchedule?.BaseLearningRate,
            ["plateau_best"] = _plateau is null ? null : FiniteOrNull(_plateau.Best),
            ["plateau_bad_epochs"] = _plateau?.BadEpochs,
            ["plateau_cooldown"] = _plateau?.CooldownCounter,
            ["state_h"] = _state is null ? null : Encode(_state.H.Value),
            ["state_c"] = _state?.C is { } c ? Encode(c.Value) : null,
        };
        Checkpoint.Save(directory, new CheckpointData<T>
        {
            Parameters = _model.NamedParameters().Select(p => new NamedTensor<T>(p.Key, p.Value.Value.Clone())).ToArray(),
            Optimizer = _optimizer.ExportState(),
            Step = Step,
            ModelConfig = _model.Config.ToJson(),
            Vocabulary = Vocabulary?.DeepClone(),
            TrainerState = trainer,
            RngStates = new Dictionary<string, RngState> { [DropoutRng] = _dropoutRng.GetState() },
        });
    }

    /// <summary>Loads <paramref name="directory"/> (see <see cref="Checkpoint.Load{T}"/>) and resumes from it.</summary>
    public void Resume(string directory) => Resume(Checkpoint.Load<T>(directory));

    /// <summary>
    /// Restores weights, optimizer, RNG, schedule and loop position from a checkpoint of this trainer. Throws
    /// <see cref="IncompatibleCheckpointException"/> when it was written by another trainer version or for another model
    /// config, batch size, BPTT length or optimizer.
    /// </summary>
    public void Resume(CheckpointData<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = data.TrainerState ?? throw Incompatible("it has no trainer_state (not written by the trainer)");
        if (Get<string>(s, "kind") != TrainerStateKind) throw Incompatible($"its trainer_state is not {TrainerStateKind}");
        int version = Get<int>(s, "version");
        if (version != TrainerStateVersion) throw Incompatible($"trainer_state version {version}; this build reads version {TrainerStateVersion}");
        LanguageModelConfig stored;
        try { stored = LanguageModelConfig.FromJson(data.ModelConfig ?? throw new FormatException("model config: missing.")); }
        catch (FormatException e) { throw Incompatible(e.Message); }
        if (stored != _model.Config) throw Incompatible($"it is for the model {stored}, this model is {_model.Config}");
        int batch = Get<int>(s, "batch_size"), bptt = Get<int>(s, "bptt");
        if (batch != _options.BatchSize || bptt != _options.Bptt)
            throw Incompatible($"it was trained with batch {batch} and BPTT {bptt}, these options have {_options.BatchSize} and {_options.Bptt}");
        int window = Get<int>(s, "window");
        if (window < 0 || window >= _train.WindowCount)
            throw Incompatible($"its window index {window} is outside this training stream's {_train.WindowCount} windows (another corpus?)");
        if (data.Optimizer is null) throw Incompatible("it has no optimizer state");
        if (!data.RngStates.TryGetValue(DropoutRng, out var rng)) throw Incompatible($"it has no '{DropoutRng}' RNG state");
        try
        {
            RestoreParameters(data.Parameters);
            _optimizer.ImportState(data.Optimizer);
        }
        catch (ArgumentException e) { throw Incompatible(e.Message); }

        _dropoutRng.SetState(rng);
        (Step, Epoch, Window) = (data.Step, Get<int>(s, "epoch"), window);
        BestValidLoss = s["best_valid_loss"] is null ? double.PositiveInfinity : Get<double>(s, "best_valid_loss");
        BestStep = Get<long>(s, "best_step");
        _badEvaluations = Get<int>(s, "bad_evaluations");
        _patienceBest = s["patience_best"] is null ? double.PositiveInfinity : Get<double>(s, "patience_best");
        if (_epochSchedule is not null)
            _epochSchedule = CreateEpochSchedule(Get<double>(s, "schedule_base_lr"), Get<int>(s, "schedule_epoch"));
        if (_plateau is not null)
        {
            _plateau.Best = s["plateau_best"] is null ? double.PositiveInfinity : Get<double>(s, "plateau_best");
            _plateau.BadEpochs = Get<int>(s, "plateau_bad_epochs");
            _plateau.CooldownCounter = Get<int>(s, "plateau_cooldown");
        }
        var zero = _model.InitialState(_options.BatchSize);
        _state = s["state_h"] is null ? null : new RecurrentState<T>(
            new Var<T>(Decode(Get<string>(s, "state_h"), zero.H.Value, "state_h")),
            zero.C is null ? null : new Var<T>(Decode(Get<string>(s, "state_c"), zero.C.Value, "state_c")));
    }

    // By dotted name (Var.Name is only the local name, e.g. "weight"); every parameter present with its shape.
    private void RestoreParameters(IReadOnlyList<NamedTensor<T>> stored)
    {
        var byName = stored.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        foreach (var (name, p) in _model.NamedParameters())
        {
            if (!byName.Remove(name, out var t)) throw Incompatible($"it has no parameter '{name}'");
            if (!t.SameShape(p.Value)) throw Incompatible($"'{name}' is {t.ShapeString} in the checkpoint, {p.Value.ShapeString} in the model");
            t.Span.CopyTo(p.Value.Span);
        }
        if (byName.Count > 0) throw Incompatible($"it has parameters the model lacks: {string.Join(", ", byName.Keys)}");
    }

    private static JsonNode? FiniteOrNull(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    // The raw little-endian bytes of the tensor, so the carried state is restored bit for bit.
    private static string Encode(Tensor<T> t) => Convert.ToBase64String(MemoryMarshal.AsBytes(t.Span));

    private static Tensor<T> Decode(string base64, Tensor<T> shapeOf, string key)
    {
        byte[] bytes = Convert.FromBase64String(base64);
        var t = Tensor<T>.ZerosLike(shapeOf);
        var target = MemoryMarshal.AsBytes(t.Span);
        if (bytes.Length != target.Length)
            throw Incompatible($"trainer_state.{key} holds {bytes.Length} bytes; a state of shape {shapeOf.ShapeString} needs {target.Length}");
        bytes.CopyTo(target);
        return t;
    }

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw Incompatible($"trainer_state field '{key}' is missing or not a {typeof(TValue).Name}");
        return value;
    }

    private static IncompatibleCheckpointException Incompatible(string why) =>
        new($"the checkpoint cannot resume this training run: {why}.");
}
