using System.Globalization;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>
/// Many-to-one classification as a task of the <see cref="Trainer{T}"/>: each example is a token-id sequence with one
/// class label; a <see cref="Sequential{T}"/> model (an <see cref="Embedding{T}"/> first, a pooling layer that makes
/// (B, F) from (B, T, F), class logits (B, C) last) reads a padded batch with its lengths in the layer context:
/// <code>
/// z = model(ids, lengths)                       (B, C)
/// L = (1 / B) Σ_b −log softmax(z_b)[y_b]        mean cross-entropy per example
/// </code>
/// Training batches are length-bucketed (<see cref="BatchPlan.Bucketed"/>) from a seed, so each epoch's batches are fixed
/// by (seed, epoch). Evaluation reports "loss" (mean cross-entropy per example) and "accuracy" (fraction correct).
/// </summary>
public sealed class SequenceClassificationTask<T> : IMicroBatchedTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Sequential<T> _model;
    private readonly LabeledSequences _train;
    private readonly LabeledSequences? _valid;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private int _planEpoch = -1;
    private int[][] _plan = [];
    private int[][] _longestFirst = [];          // the plan's batches ordered by length, longest first (the parts' split)
    private readonly Lock _planGate = new();   // the parts of a batch ask for its rows from several threads at once
    private PartBuffers[] _partBuffers = [];   // each part's own (index 0: a batch not split), refilled each step
    private string? _trainData;                // the training data's fingerprint for checkpoints, made on first use

    /// <summary>
    /// Prepares the task. <paramref name="valid"/> may be null (then evaluation scores the training examples).
    /// <paramref name="seed"/> fixes the batch order of every epoch; <paramref name="padId"/> fills padded positions.
    /// </summary>
    public SequenceClassificationTask(Sequential<T> model, LabeledSequences train, LabeledSequences? valid, int batchSize, ulong seed, int padId = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        CheckLabels(model, train, "SequenceClassificationTask: train", nameof(train));
        CheckTokens(model, train.Sequences, "SequenceClassificationTask: train", nameof(train));
        if (valid is not null) CheckLabels(model, valid, "SequenceClassificationTask: valid", nameof(valid));
        if (valid is not null) CheckTokens(model, valid.Sequences, "SequenceClassificationTask: valid", nameof(valid));
        (_model, _train, _valid, _batchSize, _seed, PadId) = (model, train, valid, batchSize, seed, padId);
        BatchesPerEpoch = ShapeUtil.CeilDiv(train.Count, batchSize);
        ModelConfig = LayerConfig.TryToJson(model);
    }

    /// <summary>The id written into padded positions.</summary>
    public int PadId { get; }

    /// <inheritdoc/>
    public int BatchesPerEpoch { get; }

    /// <summary>
    /// The model's config for checkpoints (<see cref="LayerConfig"/> of the <see cref="Sequential{T}"/> by default; null when a
    /// layer of your own has no stored description, and then checkpoints carry the weights without it).
    /// </summary>
    public JsonObject? ModelConfig { get; init; }

    /// <inheritdoc/>
    public JsonNode? Vocabulary { get; init; }

    /// <summary>
    /// Word dropout p: in training batches each word is read as <see cref="UnknownId"/> with probability p (Dai &amp; Le 2015;
    /// Iyyer et al. 2015), drawn from a generator seeded by (seed, epoch, batch), so a batch is the same on every run and
    /// thread count. It trains the &lt;unk&gt; vector that unseen test words read, and keeps the model from leaning on single
    /// words. 0 (the default) reads every word.
    /// </summary>
    public double WordDropout
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(WordDropout), value, "SequenceClassificationTask: word dropout must be in [0, 1).");
    }

    /// <summary>The id word dropout writes (&lt;unk&gt;; 1 by default).</summary>
    public int UnknownId { get; init; } = 1;

    /// <summary>
    /// 10 · ln C for C classes: an untrained model's uniform prediction scores ln C. C is the width of the model's last
    /// <see cref="Linear{T}"/> when it ends with one (a class absent from the training part still counts), else the
    /// largest training label + 1.
    /// </summary>
    public double? DivergedLoss => 10 * Math.Log(Math.Max(2, _model.Layers.Count > 0 && _model.Layers[^1] is Linear<T> head
        ? head.OutFeatures
        : _train.Labels.Max() + 1));

    /// <inheritdoc/>
    /// <remarks>The padded batch is refilled in a buffer of the task's: call <see cref="Var{T}.Backward()"/> before the next step.</remarks>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (rows, _, buffers) = Rows(epoch, batch, 0, 1);
        var (mean, tokens) = MeanLoss(buffers, rows, WordDropoutSeed(epoch, batch), context);
        return new TaskLoss<T>(mean, tokens);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Part p holds the examples at positions p, p + P, … of the batch ordered by length, longest first (about equal
    /// tokens per part); L_p = (Σ over its examples of the cross-entropy) / N with N the batch's examples. Word dropout
    /// draws from a generator seeded by (seed, epoch, batch, part). Each part refills padded batches of its own.
    /// </remarks>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, int part, int parts, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        MicroBatchParts.Check(part, parts, "SequenceClassificationTask");
        var (rows, longestFirst, buffers) = Rows(epoch, batch, part, parts);
        var own = buffers.Batches.Alternate(longestFirst, part, parts);
        if (own.Length == 0) return MicroBatchParts.Empty<T>();
        var (mean, tokens) = MeanLoss(buffers, own, WordDropoutSeed(epoch, batch) + (ulong)part * 0x9E3779B97F4A7C15UL, context);
        return new TaskLoss<T>(Ops.MulScalar(mean, T.CreateTruncating(own.Length) / T.CreateTruncating(rows.Length)), tokens);
    }

    /// <summary>
    /// The examples of training batch <paramref name="batch"/> of <paramref name="epoch"/> (bucketed by length, shuffled by
    /// (seed, epoch)), the same ordered by length, longest first (stable: ties in batch order), and part
    /// <paramref name="part"/>'s own buffers. The caller only reads the rows.
    /// </summary>
    private (int[] Rows, int[] LongestFirst, PartBuffers Buffers) Rows(int epoch, int batch, int part, int parts)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"SequenceClassificationTask.TrainingLoss: epoch {epoch} is negative.");
        Checks.Index(batch, BatchesPerEpoch, "SequenceClassificationTask.TrainingLoss", nameof(batch));
        lock (_planGate)
        {
            if (epoch != _planEpoch)
            {
                (_plan, _planEpoch) = (BatchPlan.Bucketed(_train.Lengths, _batchSize, _seed, epoch), epoch);
                _longestFirst = [.. _plan.Select(rows => rows.OrderByDescending(r => _train.Sequences[r].Length).ToArray())];
            }
            return (_plan[batch], _longestFirst[batch], MicroBatchParts.Own(ref _partBuffers, part, parts));
        }
    }

    // Each sequence's length and ids, then the labels.
    private string TrainData => _trainData ??= Fingerprint(_train);

    private static string Fingerprint(LabeledSequences data)
    {
        var f = new BatchOrderState.Fingerprint();
        foreach (var sequence in data.Sequences)
        {
            f.Add<int>([sequence.Length]);
            f.Add<int>(sequence);
        }
        f.Add<int>([.. data.Labels]);
        return f.ToString();
    }

    private ulong WordDropoutSeed(int epoch, int batch) => _seed ^ 0xD1B54A32D192ED03UL * (ulong)((long)epoch * BatchesPerEpoch + batch + 1);

    /// <summary>
    /// The mean cross-entropy of training examples <paramref name="rows"/> (graph recorded) and their tokens, the padded batch
    /// and labels refilled in <paramref name="buffers"/>.
    /// </summary>
    private (Var<T> Mean, long Tokens) MeanLoss(PartBuffers buffers, ReadOnlySpan<int> rows, ulong wordDropoutSeed, LayerContext context)
    {
        int steps = TokenBatch.LongestRow(_train.Sequences, rows);
        var shape = (rows.Length, steps, 0);
        if (!buffers.Batches.TryGet(shape, out var batch))
            batch = buffers.Batches.Keep(shape, new Batch(TokenBatch.Empty(rows.Length, steps, PadId), new int[rows.Length]), rows.Length * (steps + 1L));
        var (tokens, labels) = batch;
        tokens.Fill(_train.Sequences, rows);
        if (WordDropout > 0)
        {
            buffers.WordDropout.Reseed(wordDropoutSeed);
            DropWords(tokens, WordDropout, UnknownId, buffers.WordDropout);
        }
        var logits = Logits(tokens, rows.Length, context);
        long count = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            labels[i] = _train.Labels[rows[i]];
            count += _train.Sequences[rows[i]].Length;
        }
        return (Ops.SoftmaxCrossEntropy(logits, labels), count);
    }

    /// <summary>A padded training batch and its labels.</summary>
    private sealed record Batch(TokenBatch Tokens, int[] Labels);

    /// <summary>A part's own padded batches and word-dropout generator (reseeded each step), reused from step to step.</summary>
    private sealed class PartBuffers
    {
        public BatchBuffers<Batch> Batches { get; } = new();

        public SeededRng WordDropout { get; } = new(0);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool) => Score(_valid ?? _train, pool);

    /// <summary>"loss" and "accuracy" of the model on <paramref name="data"/> (call in evaluation mode, without a graph).</summary>
    public IReadOnlyDictionary<string, double> Score(LabeledSequences data, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(data);
        double lossSum = 0;
        int correct = 0;
        var context = new LayerContext(Pool: pool);
        foreach (var rows in BatchPlan.InOrder(data.Count, _batchSize))
        {
            var logits = Logits(data, rows, context);
            int c = logits.Value.Dim(1);
            var z = logits.Value.Span;
            for (int b = 0; b < rows.Length; b++)
            {
                int label = data.Labels[rows[b]];
                if ((uint)label >= (uint)c)
                    throw new ArgumentOutOfRangeException(nameof(data), label, $"SequenceClassificationTask.Score: example {rows[b]} has label {label}, but the model scores {c} classes (labels 0 … {c - 1}).");
                var zb = z.Slice(b * c, c);
                lossSum += CrossEntropy(zb, label);
                if (ArgMax(zb) == label) correct++;
            }
        }
        return new Dictionary<string, double> { ["loss"] = lossSum / data.Count, ["accuracy"] = (double)correct / data.Count };
    }

    /// <summary>The class probabilities (N, C) of every sequence of <paramref name="sequences"/>, in order (evaluation mode, no graph).</summary>
    public T[][] Predict(IReadOnlyList<int[]> sequences, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var result = new T[sequences.Count][];
        var context = new LayerContext(Pool: pool);
        foreach (var rows in BatchPlan.InOrder(sequences.Count, _batchSize))
        {
            var batch = TokenBatch.Pad(sequences, rows, PadId);
            var p = Ops.Softmax(_model.Forward(batch.Ids, batch.BatchSize, batch.Steps, context with { Lengths = batch.Lengths })).Value;
            int c = p.Dim(1);
            for (int b = 0; b < rows.Length; b++) result[rows[b]] = p.Span.Slice(b * c, c).ToArray();
        }
        return result;
    }

    private Var<T> Logits(LabeledSequences data, int[] rows, LayerContext context) =>
        Logits(TokenBatch.Pad(data.Sequences, rows, PadId), rows.Length, context);

    private Var<T> Logits(TokenBatch batch, int rows, LayerContext context)
    {
        var logits = _model.Forward(batch.Ids, batch.BatchSize, batch.Steps, context with { Lengths = batch.Lengths });
        if (logits.Value.Rank != 2 || logits.Value.Dim(0) != rows)
            throw new InvalidOperationException($"SequenceClassificationTask: the model must end in class logits (B, C) = ({rows}, C), got {logits.Value.ShapeString} (pool the time axis, e.g. with LastStep).");
        return logits;
    }

    /// <summary>Word dropout on a padded batch: each valid position, row by row, reads <paramref name="unknownId"/> when u &lt; p (one uniform u each); padding is left alone.</summary>
    internal static void DropWords(TokenBatch batch, double p, int unknownId, SeededRng rng)
    {
        for (int b = 0; b < batch.BatchSize; b++)
            for (int t = 0; t < batch.Lengths[b]; t++)
                if (rng.NextDouble() < p) batch.Ids[b * batch.Steps + t] = unknownId;
    }

    /// <summary>
    /// With a C-class <see cref="Linear{T}"/> last, a label outside 0 … C−1 is an <see cref="ArgumentOutOfRangeException"/>
    /// "<c>{context}: example i has label y, …</c>" naming <paramref name="paramName"/>: before training, not at the first
    /// evaluation after an epoch. (Without such a head the width is known only from the logits; <see cref="Score"/> checks there.)
    /// </summary>
    internal static void CheckLabels(Sequential<T> model, LabeledSequences data, string context, string paramName)
    {
        if (model.Layers.Count == 0 || model.Layers[^1] is not Linear<T> head) return;
        int classes = head.OutFeatures;
        for (int i = 0; i < data.Count; i++)
            if ((uint)data.Labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(paramName, data.Labels[i],
                    $"{context}: example {i} has label {data.Labels[i]}, but the model's last Linear scores {classes} classes (labels 0 … {classes - 1}).");
    }

    /// <summary>
    /// Every token id of <paramref name="sequences"/> must be a row of the model's first layer, an <see cref="Embedding{T}"/>
    /// (checked once here, so a bad id names the example rather than the gather op deep in a batch).
    /// </summary>
    internal static void CheckTokens(Sequential<T> model, IReadOnlyList<int[]> sequences, string context, string paramName)
    {
        if (model.Layers.Count == 0 || model.Layers[0] is not Embedding<T> embedding) return;
        int rows = embedding.NumEmbeddings;
        for (int i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i];
            if (sequence is null) continue;   // the batching names a null example
            for (int t = 0; t < sequence.Length; t++)
                if ((uint)sequence[t] >= (uint)rows)
                    throw new ArgumentOutOfRangeException(paramName, sequence[t],
                        $"{context}: example {i} has token id {sequence[t]} at position {t}, but the model's Embedding has {rows} rows (ids 0 … {rows - 1}).");
        }
    }

    // ℓ = log Σ_j exp(z_j) − z_y, in double with the max subtracted.
    private static double CrossEntropy(ReadOnlySpan<T> z, int y)
    {
        double max = double.NegativeInfinity;
        foreach (T v in z) max = Math.Max(max, double.CreateTruncating(v));
        double sum = 0;
        foreach (T v in z) sum += Math.Exp(double.CreateTruncating(v) - max);
        return max + Math.Log(sum) - double.CreateTruncating(z[y]);
    }

    private static int ArgMax(ReadOnlySpan<T> z)
    {
        int best = 0;
        for (int j = 1; j < z.Length; j++) if (z[j] > z[best]) best = j;
        return best;
    }

    /// <inheritdoc/>
    /// <remarks>The batch order (batch size, seed, examples, a fingerprint of the training data) and the word dropout with its &lt;unk&gt; id, which change every batch read.</remarks>
    public JsonObject? SaveState()
    {
        var state = BatchOrderState.Save(_batchSize, _seed, "examples", _train.Count, TrainData);
        (state["word_dropout"], state["unk_id"]) = (WordDropout, UnknownId);
        return state;
    }

    /// <inheritdoc/>
    /// <remarks>A state without <c>train_data</c>, or without <c>word_dropout</c> and <c>unk_id</c> (written before they were recorded), is not checked for them.</remarks>
    public void RestoreState(JsonObject? state)
    {
        BatchOrderState.Check<T>(state, _batchSize, _seed, "examples", _train.Count, "examples");
        BatchOrderState.CheckData<T>(state, TrainData);
        if (state!["word_dropout"] is null && state["unk_id"] is null) return;
        double? wordDropout = state["word_dropout"] is JsonValue p && p.TryGetValue(out double pv) ? pv : null;
        int? unknownId = state["unk_id"] is JsonValue u && u.TryGetValue(out int uv) ? uv : null;
        if (wordDropout != WordDropout || unknownId != UnknownId)
            throw Trainer<T>.Incompatible(string.Create(CultureInfo.InvariantCulture,
                $"it was trained with word dropout {state["word_dropout"]?.ToJsonString() ?? "null"} (<unk> id {state["unk_id"]?.ToJsonString() ?? "null"}), this task uses word dropout {WordDropout} (<unk> id {UnknownId})"));
    }
}
