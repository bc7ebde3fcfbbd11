using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.LanguageModeling;

/// <summary>
/// Language modelling as a task of the <see cref="Trainer{T}"/>: truncated backpropagation through time over a token
/// stream (docs/lm.md#3-training-a-language-model). Batch i of an epoch is BPTT window i (B streams × T steps, in order); the hidden state
/// s is carried from window to window, detached, and reset to zeros at each epoch start:
/// <code>
/// L = (1 / B·T) Σ_{b,t} −log softmax(f(x_{b,≤t}, s))[y_{b,t}]      mean cross-entropy per token
/// s ← state after the window, detached
/// </code>
/// Evaluation is the mean cross-entropy per predicted token of the validation stream ("loss"), with perplexity ("ppl")
/// and bits per token ("bits_per_token"). With micro-batches (<see cref="TrainingOptions.MicroBatches"/> = P) part p
/// holds streams [p·B/P, (p+1)·B/P) and carries their state itself.
/// </summary>
public sealed class LanguageModelTask<T> : IMicroBatchedTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly BpttBatcher _train;
    private readonly BpttBatcher _valid;
    private readonly int[] _inputs;
    private readonly int[] _targets;
    private RecurrentState<T>? _state;
    private Part[]? _parts;             // with micro-batches: each part's streams, window buffers and carried state
    private readonly Lock _partsGate = new();

    /// <summary>
    /// Prepares windows of <paramref name="batchSize"/> streams × <paramref name="bptt"/> steps over the training stream and
    /// the validation stream (whose last, shorter window is kept, so every position with a successor in its stream is scored). Throws an
    /// <see cref="ArgumentException"/> for a batch size or bptt below 1, a stream shorter than one window or a token id outside
    /// the model's vocabulary.
    /// </summary>
    public LanguageModelTask(LanguageModel<T> model, ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, int batchSize, int bptt, JsonNode? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"LanguageModelTask: the batch size (streams per window) must be at least 1, got {batchSize}.");
        if (bptt < 1) throw new ArgumentOutOfRangeException(nameof(bptt), bptt, $"LanguageModelTask: bptt (steps per window) must be at least 1, got {bptt}.");
        (_model, Vocabulary) = (model, vocabulary);
        _train = Batcher(train, "training", nameof(train), batchSize, bptt, LastWindow.Drop);
        _valid = Batcher(valid, "validation", nameof(valid), batchSize, bptt, LastWindow.Keep);
        CheckIds(train.Span, "training", nameof(train));
        CheckIds(valid.Span, "validation", nameof(valid));
        _inputs = new int[batchSize * bptt];
        _targets = new int[batchSize * bptt];
        _trainData = DataFingerprint.Of(train.Span);
        _validData = DataFingerprint.Of(valid.Span);
    }

    private readonly DataFingerprint _trainData;
    private readonly DataFingerprint _validData;

    /// <summary>The model.</summary>
    public LanguageModel<T> Model => _model;

    /// <summary>The training windows.</summary>
    public BpttBatcher TrainWindows => _train;

    /// <summary>The hidden state carried into the next training window (null: zeros), (L, B, H) whether or not micro-batches carry it in parts.</summary>
    public RecurrentState<T>? CarriedState => _parts is null ? _state : Joined(_parts);

    /// <inheritdoc/>
    public int BatchesPerEpoch => _train.WindowCount;

    /// <inheritdoc/>
    public JsonObject? ModelConfig => _model.Config.ToJson();

    /// <inheritdoc/>
    public JsonNode? Vocabulary { get; }

    /// <summary>10 · ln V: an untrained model's uniform prediction scores ln V per token.</summary>
    public double? DivergedLoss => 10 * Math.Log(_model.VocabularySize);

    /// <inheritdoc/>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int b = _train.BatchSize, t = _train.Steps;
        if (batch == 0) _state = null;                        // each epoch starts from the zero state
        _train.Fill(batch, _inputs, _targets);
        var (loss, next) = _model.Loss(_inputs, _targets, b, t, _state, context.Rng, context.Pool);
        _state = next.Detach();                               // truncated BPTT: the next window's graph starts here
        return new TaskLoss<T>(loss, (long)b * t);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Part p holds streams [p·B/P, (p+1)·B/P) (none when B &lt; P) and carries their state from window to window itself;
    /// L_p = (its summed cross-entropy) / (B·T), its mean times its share of the streams.
    /// </remarks>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, int part, int parts, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        MicroBatchParts.Check(part, parts, "LanguageModelTask");
        var own = PartsOf(parts)[part];
        int b = _train.BatchSize, t = _train.Steps;
        if (own.Count == 0) return MicroBatchParts.Empty<T>();
        if (batch == 0) own.State = null;                     // each epoch starts from the zero state
        _train.Fill(batch, own.First, own.Count, own.Inputs, own.Targets);
        var (loss, next) = _model.Loss(own.Inputs, own.Targets, own.Count, t, own.State, context.Rng, context.Pool);
        own.State = next.Detach();
        return new TaskLoss<T>(Ops.MulScalar(loss, T.CreateTruncating(own.Count) / T.CreateTruncating(b)), (long)own.Count * t);
    }

    /// <summary>One part's streams [First, First + Count), its rows of the window and its carried state.</summary>
    private sealed class Part(int first, int count, int steps)
    {
        public readonly int First = first, Count = count;
        public readonly int[] Inputs = new int[count * steps], Targets = new int[count * steps];
        public RecurrentState<T>? State;
    }

    /// <summary>The P parts, made on first use; a state carried so far (restored, or from whole batches) is split among them.</summary>
    private Part[] PartsOf(int parts)
    {
        lock (_partsGate)   // the parts of a batch ask from several threads at once
        {
            if (_parts is { } made && made.Length == parts) return made;
            var state = CarriedState;
            int b = _train.BatchSize, t = _train.Steps;
            _parts = [.. Enumerable.Range(0, parts).Select(p => new Part(p * b / parts, (p + 1) * b / parts - p * b / parts, t))];
            if (state is not null)
                foreach (var own in _parts.Where(own => own.Count > 0))
                    own.State = new RecurrentState<T>(new Var<T>(Rows(state.H.Value, own.First, own.Count)),
                        state.C is null ? null : new Var<T>(Rows(state.C.Value, own.First, own.Count)));
            _state = null;
            return _parts;
        }
    }

    /// <summary>The parts' carried states as one (L, B, H) state (zeros for a part that has none yet); null when none has one.</summary>
    private RecurrentState<T>? Joined(Part[] parts)
    {
        if (parts.All(own => own.State is null)) return null;
        var zero = _model.InitialState(_train.BatchSize);
        foreach (var own in parts.Where(own => own.State is not null))
        {
            PutRows(zero.H.Value, own.State!.H.Value, own.First);
            if (zero.C is not null) PutRows(zero.C.Value, own.State.C!.Value, own.First);
        }
        return zero;
    }

    /// <summary>Rows [first, first + count) of the middle axis of an (L, B, H) tensor.</summary>
    private static Tensor<T> Rows(Tensor<T> full, int first, int count)
    {
        int layers = full.Dim(0), b = full.Dim(1), h = full.Dim(2);
        var rows = Tensor<T>.Zeros(layers, count, h);
        for (int l = 0; l < layers; l++) full.Span.Slice((l * b + first) * h, count * h).CopyTo(rows.Span.Slice(l * count * h, count * h));
        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> (L, count, H) into rows [first, first + count) of <paramref name="full"/> (L, B, H).</summary>
    private static void PutRows(Tensor<T> full, Tensor<T> rows, int first)
    {
        int layers = full.Dim(0), b = full.Dim(1), h = full.Dim(2), count = rows.Dim(1);
        for (int l = 0; l < layers; l++) rows.Span.Slice(l * count * h, count * h).CopyTo(full.Span.Slice((l * b + first) * h, count * h));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
    {
        double loss = MeanLoss(_model, _valid, pool);
        return new Dictionary<string, double>
        {
            ["loss"] = loss, ["ppl"] = LanguageModelMetrics.Perplexity(loss), ["bits_per_token"] = LanguageModelMetrics.BitsPerToken(loss),
        };
    }

    /// <summary>
    /// The mean cross-entropy per predicted token over every window of <paramref name="batcher"/> (state carried across
    /// windows from zeros), in eval mode and without a graph; the model is switched back to training mode afterwards.
    /// The window buffers are made once per call; per window only the model's forward allocates.
    /// </summary>
    public static double MeanLoss(LanguageModel<T> model, BpttBatcher batcher, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batcher);
        model.Eval();
        try
        {
            using var noGrad = new NoGradScope();
            int b = batcher.BatchSize;
            RecurrentState<T>? state = null;
            double sum = 0;
            long count = 0;
            // Loss takes the targets as an array of exactly B·Tw, so a shorter last window gets its own pair, made once.
            var (inputs, targets) = (Array.Empty<int>(), Array.Empty<int>());
            for (int w = 0; w < batcher.WindowCount; w++)
            {
                int tw = batcher.WindowLength(w);
                if (targets.Length != b * tw) (inputs, targets) = (new int[b * tw], new int[b * tw]);
                batcher.Fill(w, inputs, targets);
                var (loss, next) = model.Loss(inputs, targets, b, tw, state, pool: pool);
                sum += double.CreateTruncating(loss.Value.Span[0]) * (b * tw);
                count += b * tw;
                state = next;
            }
            return sum / count;
        }
        finally
        {
            model.Train();
        }
    }

    /// <inheritdoc/>
    public JsonObject? SaveState() => new()
    {
        ["batch_size"] = _train.BatchSize,
        ["bptt"] = _train.Steps,
        ["train_data"] = _trainData.ToString(),
        ["valid_data"] = _validData.ToString(),
        ["state_h"] = CarriedState is { } carried ? Encode(carried.H.Value) : null,
        ["state_c"] = CarriedState?.C is { } c ? Encode(c.Value) : null,
    };

    /// <inheritdoc/>
    public void RestoreState(JsonObject? state)
    {
        if (state is null) throw Trainer<T>.Incompatible("it has no language-model task state");
        int batch = Get<int>(state, "batch_size"), bptt = Get<int>(state, "bptt");
        if (batch != _train.BatchSize || bptt != _train.Steps)
            throw Trainer<T>.Incompatible($"it was trained with batch {batch} and BPTT {bptt}, this task has {_train.BatchSize} and {_train.Steps}");
        // Other data would continue the run on other windows, so its losses would not continue those of the uninterrupted
        // run; checkpoints written without the fingerprints are not checked.
        if (state["train_data"] is not null && Get<string>(state, "train_data") != _trainData.ToString())
            throw Trainer<T>.Incompatible($"it was trained on other training data ({Get<string>(state, "train_data")}; this task's is {_trainData})");
        if (state["valid_data"] is not null && Get<string>(state, "valid_data") != _validData.ToString())
            throw Trainer<T>.Incompatible($"it was validated on other data ({Get<string>(state, "valid_data")}; this task's is {_validData})");
        var zero = _model.InitialState(_train.BatchSize);
        _parts = null;   // micro-batches split the restored state among their parts on first use
        _state = state["state_h"] is null ? null : new RecurrentState<T>(
            new Var<T>(Decode(Get<string>(state, "state_h"), zero.H.Value, "state_h")),
            zero.C is null ? null : new Var<T>(Decode(Get<string>(state, "state_c"), zero.C.Value, "state_c")));
    }

    // The raw little-endian bytes of the tensor, so the carried state is restored bit for bit.
    private static string Encode(Tensor<T> t) => Convert.ToBase64String(MemoryMarshal.AsBytes(t.Span));

    private static Tensor<T> Decode(string base64, Tensor<T> shapeOf, string key)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException) { throw Trainer<T>.Incompatible($"task state field '{key}' is not base64"); }
        var t = Tensor<T>.ZerosLike(shapeOf);
        var target = MemoryMarshal.AsBytes(t.Span);
        if (bytes.Length != target.Length)
            throw Trainer<T>.Incompatible($"task state field '{key}' holds {bytes.Length} bytes; a state of shape {shapeOf.ShapeString} needs {target.Length}");
        bytes.CopyTo(target);
        return t;
    }

    private static TValue Get<TValue>(JsonObject json, string key)
    {
        if (json[key] is not JsonValue v || !v.TryGetValue(out TValue? value) || value is null)
            throw Trainer<T>.Incompatible($"task state field '{key}' is missing or not a {typeof(TValue).Name}");
        return value;
    }

    private static BpttBatcher Batcher(ReadOnlyMemory<int> tokens, string which, string paramName, int batchSize, int bptt, LastWindow last)
    {
        try { return new BpttBatcher(tokens, batchSize, bptt, last); }
        catch (ArgumentException e)   // the sizes are checked by the constructor: the corpus is shorter than one window
        {
            string why = Checks.MessageWithoutParameter(e);
            throw new ArgumentException($"the {which} text is too short: {why}", paramName, e);
        }
    }

    private void CheckIds(ReadOnlySpan<int> tokens, string which, string paramName)
    {
        int v = _model.VocabularySize;
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)v)
                throw new ArgumentException($"the {which} stream has token id {tokens[i]} at position {i}, outside the model's vocabulary [0, {v}).", paramName);
    }
}
