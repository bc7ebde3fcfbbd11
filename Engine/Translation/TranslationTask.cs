using System.Globalization;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Translation;

/// <summary>
/// Translation as a task of the <see cref="Trainer{T}"/>: (source, target) id sequences, batched as <see cref="PairBatch"/>es
/// bucketed by source length (<see cref="BatchPlan.Bucketed"/> from a seed, so each epoch's batches are fixed by (seed, epoch)):
/// <code>
/// L = (1/N) Σ_{b,u valid} −log p(y_{b,u} | y_{b,&lt;u}, x_b)     mean cross-entropy per target token (⟨eos⟩ included), N tokens
/// </code>
/// Evaluation reports "loss" (the same mean over the validation pairs) and, when <see cref="Scorer"/> is set, "bleu": the
/// scorer's value for the greedy outputs of the validation sources (in validation order).
/// </summary>
public sealed class TranslationTask<T> : IMicroBatchedTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Seq2Seq<T> _model;
    private readonly IReadOnlyList<int[]> _trainSources, _trainTargets, _validSources, _validTargets;
    private readonly int[] _sourceLengths;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private int _planEpoch = -1;
    private int[][] _plan = [];
    private readonly Lock _planGate = new();
    private BatchBuffers<PairBatch>[] _partBuffers = [];   // each part's padded batches (index 0: a batch not split), refilled each step
    private const int IgnoreIndex = -100;                  // PairBatch.Pad's and the loss's default

    /// <summary>
    /// Prepares the task. Validation pairs may be null (then evaluation scores the training pairs), not empty. Every sequence must
    /// be non-empty on the source side; targets may be empty (the model then learns to produce ⟨eos⟩ at once).
    /// </summary>
    public TranslationTask(Seq2Seq<T> model, IReadOnlyList<int[]> trainSources, IReadOnlyList<int[]> trainTargets,
        IReadOnlyList<int[]>? validSources, IReadOnlyList<int[]>? validTargets, SpecialTokens specials, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainSources);
        ArgumentNullException.ThrowIfNull(trainTargets);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (trainSources.Count != trainTargets.Count || trainSources.Count == 0)
            throw new ArgumentException($"TranslationTask: {trainSources.Count} training sources and {trainTargets.Count} targets (need equal, ≥ 1).", trainSources.Count == 0 ? nameof(trainSources) : nameof(trainTargets));
        if ((validSources is null) != (validTargets is null) || (validSources is not null && validSources.Count != validTargets!.Count))
            throw new ArgumentException("TranslationTask: validation sources and targets must both be given with equal counts, or both be null.", validSources is null ? nameof(validSources) : nameof(validTargets));
        if (validSources is { Count: 0 })
            throw new ArgumentException("TranslationTask: the validation lists are empty: give at least one validation pair, or null for both to evaluate on the training pairs.", nameof(validSources));
        (_model, _trainSources, _trainTargets, Specials, _batchSize, _seed) = (model, trainSources, trainTargets, specials, batchSize, seed);
        (_validSources, _validTargets) = (validSources ?? trainSources, validTargets ?? trainTargets);
        _sourceLengths = trainSources.Select(s => s.Length).ToArray();
        BatchesPerEpoch = ShapeUtil.CeilDiv(trainSources.Count, batchSize);
        ModelConfig = model.Config.ToJson();
    }

    /// <summary>The special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Scores greedy outputs of the validation sources (e.g. corpus BLEU against the references, with ⟨unk⟩ replaced); null = no "bleu".</summary>
    public Func<IReadOnlyList<Hypothesis>, double>? Scorer { get; init; }

    /// <summary>Decoding settings of the "bleu" evaluation (greedy; the beam width is not used).</summary>
    public DecodingOptions Decoding { get; init; } = new();

    /// <summary>
    /// Label smoothing ε of the training loss (PyTorch's <c>CrossEntropyLoss(label_smoothing=ε)</c>): the target
    /// distribution is (1 − ε)·onehot + ε/V. Validation reports the plain cross-entropy. Default 0; must be in [0, 1] (as PyTorch).
    /// </summary>
    public double LabelSmoothing
    {
        get => _labelSmoothing;
        init => _labelSmoothing = value is >= 0 and <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), $"TranslationTask: label smoothing must be in [0, 1], got {value}.");
    }

    private readonly double _labelSmoothing;

    /// <inheritdoc/>
    public int BatchesPerEpoch { get; }

    /// <inheritdoc/>
    public JsonObject? ModelConfig { get; init; }

    /// <inheritdoc/>
    public JsonNode? Vocabulary { get; init; }

    /// <summary>10 · ln V_tgt: an untrained model's uniform prediction over the target vocabulary scores ln V_tgt per token.</summary>
    public double? DivergedLoss => 10 * Math.Log(Math.Max(2, _model.Config.TargetVocabulary));

    /// <inheritdoc/>
    /// <remarks>The padded batch is refilled in a buffer of the task's: call <see cref="Var{T}.Backward()"/> before the next step.</remarks>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (rows, buffers) = Rows(epoch, batch, 0, 1);
        var pairs = Refill(buffers, rows);
        return new TaskLoss<T>(_model.Loss(pairs, context, labelSmoothing: LabelSmoothing), pairs.TargetTokens);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Part p holds the rows at positions p, p + P, p + 2P, … of the batch ordered by target length, longest first, so
    /// the parts get about equal numbers of source and target tokens. L_p = (Σ over the part's target tokens of the
    /// smoothed cross-entropy) / N with N the target tokens of the whole batch. Each part refills padded batches of its own.
    /// </remarks>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, int part, int parts, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        MicroBatchParts.Check(part, parts, "TranslationTask");
        var (rows, buffers) = Rows(epoch, batch, part, parts);
        long batchTokens = 0;
        foreach (int i in rows) batchTokens += _trainTargets[i].Length + 1L;                 // ⟨eos⟩ included, as PairBatch.TargetTokens
        var own = buffers.Alternate(rows, part, parts);
        if (own.Length == 0) return MicroBatchParts.Empty<T>();
        var pairs = Refill(buffers, own);
        var sum = _model.Loss(pairs, context, Reduction.Sum, labelSmoothing: LabelSmoothing);
        return new TaskLoss<T>(Ops.MulScalar(sum, T.One / T.CreateTruncating(batchTokens)), pairs.TargetTokens);
    }

    /// <summary>
    /// The rows of training batch <paramref name="batch"/> of <paramref name="epoch"/>, longest target first (the decoder skips
    /// padding): each batch of the epoch's plan is ordered once, when the plan is made. The caller only reads them. With them,
    /// part <paramref name="part"/>'s own buffers.
    /// </summary>
    private (int[] Rows, BatchBuffers<PairBatch> Buffers) Rows(int epoch, int batch, int part, int parts)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"TranslationTask.TrainingLoss: epoch {epoch} is negative.");
        Checks.Index(batch, BatchesPerEpoch, "TranslationTask.TrainingLoss", nameof(batch));
        lock (_planGate)   // the parts of a batch ask from several threads at once
        {
            if (epoch != _planEpoch)
                (_plan, _planEpoch) = ([.. BatchPlan.Bucketed(_sourceLengths, _batchSize, _seed, epoch).Select(rows => rows.OrderByDescending(i => _trainTargets[i].Length).ToArray())], epoch);
            return (_plan[batch], MicroBatchParts.Own(ref _partBuffers, part, parts));
        }
    }

    /// <summary>The training pairs <paramref name="rows"/> padded into <paramref name="buffers"/>' batch of their shape.</summary>
    private PairBatch Refill(BatchBuffers<PairBatch> buffers, ReadOnlySpan<int> rows)
    {
        var (steps, decoderSteps) = PairBatch.Shape(_trainSources, _trainTargets, rows);
        var shape = (rows.Length, steps, decoderSteps);
        if (!buffers.TryGet(shape, out var pairs))
            pairs = buffers.Keep(shape, PairBatch.Empty(rows.Length, steps, decoderSteps, Specials.Pad), rows.Length * (steps + 2L * decoderSteps));
        pairs.Fill(_trainSources, _trainTargets, rows, Specials.Bos, Specials.Eos, IgnoreIndex);
        return pairs;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
    {
        double lossSum = 0;
        long tokens = 0;
        var context = new LayerContext(Pool: pool);
        using (new NoGradScope())
            foreach (var rows in BatchPlan.InOrder(_validSources.Count, _batchSize))
            {
                var pairs = Pad(_validSources, _validTargets, rows);
                lossSum += double.CreateTruncating(_model.Loss(pairs, context, Reduction.Sum).Value.Span[0]);
                tokens += pairs.TargetTokens;
            }
        var metrics = new Dictionary<string, double> { ["loss"] = lossSum / tokens };
        if (Scorer is not null)
            metrics["bleu"] = Scorer(Seq2SeqDecoding.Greedy(_model, _validSources, Specials, Decoding, pool, _batchSize));
        return metrics;
    }

    private PairBatch Pad(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, int[] rows) =>
        PairBatch.Pad(sources, targets, rows, Specials.Pad, Specials.Bos, Specials.Eos);

    // Each source's length and ids, then each target's.
    private string TrainData => _trainData ??= Fingerprint(_trainSources, _trainTargets);

    private string? _trainData;   // made on first use

    private static string Fingerprint(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        var f = new BatchOrderState.Fingerprint();
        foreach (var sentence in sources.Concat(targets))
        {
            f.Add<int>([sentence.Length]);
            f.Add<int>(sentence);
        }
        return f.ToString();
    }

    /// <inheritdoc/>
    /// <remarks>The batch order (batch size, seed, examples, a fingerprint of the training pairs) and the label smoothing, which changes every loss.</remarks>
    public JsonObject? SaveState()
    {
        var state = BatchOrderState.Save(_batchSize, _seed, "examples", _trainSources.Count, TrainData);
        state["label_smoothing"] = LabelSmoothing;
        return state;
    }

    /// <inheritdoc/>
    /// <remarks>A state without <c>train_data</c> or <c>label_smoothing</c> (written before they were recorded) is not checked for it.</remarks>
    public void RestoreState(JsonObject? state)
    {
        BatchOrderState.Check<T>(state, _batchSize, _seed, "examples", _trainSources.Count, "pairs");
        BatchOrderState.CheckData<T>(state, TrainData);
        if (state!["label_smoothing"] is not { } stored) return;
        if (!(stored is JsonValue v && v.TryGetValue(out double smoothing) && smoothing == LabelSmoothing))
            throw Trainer<T>.Incompatible(string.Create(CultureInfo.InvariantCulture,
                $"it was trained with label smoothing {stored.ToJsonString()}, this task uses label smoothing {LabelSmoothing}"));
    }
}
