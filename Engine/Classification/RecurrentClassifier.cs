using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>How a recurrent classifier turns its output sequence (B, T, D·H) into one vector per sentence.</summary>
public enum SequencePooling
{
    /// <summary>Element-wise maximum over the valid steps (<see cref="MaskedMaxPool{T}"/>).</summary>
    Max,
    /// <summary>Mean over the valid steps (<see cref="MaskedMeanPool{T}"/>).</summary>
    Mean,
    /// <summary>The last valid step (forward half) and the first step (reverse half) (<see cref="LastStep{T}"/>).</summary>
    Last,
}

/// <summary>The model settings of <see cref="RecurrentClassifierFactory"/>; defaults are <c>seqlearn classify cv --model rnn</c>'s.</summary>
/// <param name="Cell">LSTM, GRU or RNN.</param>
/// <param name="Embedding">E, the width of the word vectors (learned from scratch).</param>
/// <param name="Hidden">H per direction.</param>
/// <param name="Bidirectional">Read the sentence both ways (D = 2).</param>
/// <param name="Pooling">How steps become one vector.</param>
/// <param name="Dropout">p on the pooled vector.</param>
/// <param name="Seed">Initial weights.</param>
/// <param name="EmbeddingDropout">p on the word vectors (null: Dropout / 2).</param>
/// <param name="MinCount">The vocabulary: with 1, every word of the training folds (training and validation parts); with
/// n ≥ 2, the words seen at least n times in the training part. The rest read as &lt;unk&gt;, whose vector is thereby trained
/// (with 1 every training word has its own vector and &lt;unk&gt; is trained only by word dropout).</param>
/// <param name="WordDropout">p of reading a training word as &lt;unk&gt; (<see cref="SequenceClassificationTask{T}.WordDropout"/>).</param>
/// <param name="EmbeddingStd">σ of the word vectors' initial values, N(0, σ²) (1: PyTorch's <c>nn.Embedding</c>).</param>
public sealed record RecurrentClassifierOptions(RecurrentCell Cell = RecurrentCell.Lstm, int Embedding = 128, int Hidden = 128, bool Bidirectional = true,
    SequencePooling Pooling = SequencePooling.Max, double Dropout = 0.5, ulong Seed = 1, double? EmbeddingDropout = null, int MinCount = 1,
    double WordDropout = 0.25, double EmbeddingStd = 0.1)
{
    /// <summary>
    /// The training defaults: Adam η = 0.001, clip 5, batches of 50, 7 epochs. A classifier reads whole sentences, so the
    /// BPTT length is 1 (unused): the batch size alone is then bounded by <see cref="TrainingOptions.Validate()"/>.
    /// </summary>
    public static TrainingOptions DefaultTraining => new() { BatchSize = 50, Bptt = 1, LearningRate = 1e-3, ClipNorm = 5, Epochs = 7 };

    /// <summary>D, the directions.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>
    /// P, the trainable values of the classifier over <paramref name="vocabulary"/> word ids (with &lt;pad&gt; and
    /// &lt;unk&gt;) and <paramref name="classes"/> classes, without building it:
    /// P = V·E + D·G·H·(E + H + 2) + D·H·C + C (saturating).
    /// </summary>
    public long ParameterCount(int vocabulary, int classes)
    {
        double d = Directions, h = Hidden, e = Embedding;
        return MemoryBudget.Saturate((double)vocabulary * e + d * Gates * h * (e + h + 2) + d * h * classes + classes);
    }

    /// <summary>A, the activation values of a batch of B sentences of T words with their gradients: 2·B·T·(E + D·(G + 3)·H) (saturating).</summary>
    public long ActivationValues(int batchSize, int length) =>
        MemoryBudget.Saturate(2.0 * batchSize * length * (Embedding + (double)Directions * (Gates + 3) * Hidden));

    /// <summary>
    /// The untrained model for <paramref name="vocabulary"/> word ids (with &lt;pad&gt; = 0 and &lt;unk&gt; = 1) and
    /// <paramref name="classes"/> classes, initialised from <see cref="Seed"/>: embedding (E, word vectors N(0, σ²), σ =
    /// <see cref="EmbeddingStd"/>) → dropout → (bi)recurrent layer → pooling → dropout → linear (C, D·H).
    /// </summary>
    public Sequential<float> Build(int vocabulary, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var rng = new SeededRng(Seed);
        Module<float> pooling = Checks.Defined(Pooling, "RecurrentClassifierOptions.Build", nameof(Pooling)) switch
        {
            SequencePooling.Mean => new MaskedMeanPool<float>(),
            SequencePooling.Last => new LastStep<float>(Bidirectional),
            _ => new MaskedMaxPool<float>(),
        };
        var embedding = new Embedding<float>(vocabulary, Embedding, rng);
        if (EmbeddingStd != 1) TensorPrimitives.Multiply(embedding.Weight.Value.Span, (float)EmbeddingStd, embedding.Weight.Value.Span);
        return new Sequential<float>(
            embedding,
            new Dropout<float>(EmbeddingDropout ?? Dropout / 2),
            RecurrentLayer<float>.Create(Cell, Embedding, Hidden, rng, new RecurrentOptions(Bidirectional: Bidirectional)),
            pooling,
            new Dropout<float>(Dropout),
            new Linear<float>(Directions * Hidden, classes, rng));
    }

    private int Gates => CellSpec.Of(Cell).Gates;
}

/// <summary>
/// Trains the many-to-one recurrent classifier on a fold: word ids (vocabulary of the training folds; unseen words → &lt;unk&gt;)
/// → embedding → (bi)LSTM/GRU over the valid steps → pooling → dropout → linear → softmax cross-entropy, with the shared
/// <see cref="Trainer{T}"/> (length-bucketed padded batches; optimizer, stopping and clipping from <c>training</c>, by default
/// <see cref="RecurrentClassifierOptions.DefaultTraining"/>), evaluating once per epoch (every <c>training.EvalEverySteps</c>
/// steps when that is set) and keeping the weights of the evaluation with the best validation accuracy
/// (docs/classification.md). <c>pool</c> runs the training and the trained classifier's
/// predictions (null: the calling thread).
/// </summary>
public sealed class RecurrentClassifierFactory : IClassifierFactory
{
    /// <summary>Id 0 pads, id 1 stands for words outside the vocabulary.</summary>
    public const int PadId = 0, UnknownId = 1;

    private readonly RecurrentClassifierOptions _options;
    private readonly TrainingOptions _training;
    private readonly WorkerPool? _pool;

    /// <summary>A factory training with <paramref name="options"/> and <paramref name="training"/> on <paramref name="pool"/> (null: the calling thread).</summary>
    public RecurrentClassifierFactory(RecurrentClassifierOptions options, TrainingOptions training, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        if (options.MinCount < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"RecurrentClassifierFactory: MinCount must be at least 1, got {options.MinCount}.");
        _options = options;
        _training = training;
        _pool = pool;
    }

    /// <inheritdoc/>
    public string Name => "rnn";

    /// <summary>Training tokens per second of the last fold trained (for throughput comparisons).</summary>
    public double LastTokensPerSecond { get; private set; }

    /// <inheritdoc/>
    ISentenceClassifier IClassifierFactory.Train(ClassificationFold fold) => Train(fold);

    /// <summary>
    /// Trains on <paramref name="fold"/>'s training part, choosing the epoch on its validation part (which must not be
    /// empty). For all of a data set, <see cref="FoldAssignment.TrainingSplit"/> makes the fold, or
    /// <see cref="RecurrentSentenceClassifier.Train"/> does both steps in one call.
    /// </summary>
    public RecurrentSentenceClassifier Train(ClassificationFold fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        if (fold.Validation.Count == 0)
            throw new ArgumentException("RecurrentClassifierFactory.Train: the fold has no validation sentences, which pick the best epoch; " +
                                        "draw it with a validation fraction > 0 (FoldAssignment.TrainingSplit(data, 0.1)).", nameof(fold));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in (_options.MinCount == 1 ? fold.TrainAndValidation : fold.Train).Sentences)
            foreach (string w in sentence)
                counts[w] = counts.GetValueOrDefault(w) + 1;
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (w, n) in counts)     // first-occurrence order
            if (n >= _options.MinCount) vocabulary.Add(w, vocabulary.Count + 2);
        int[] Encode(string[] s) => s.Length == 0 ? [UnknownId] : [.. s.Select(w => vocabulary.GetValueOrDefault(w, UnknownId))];
        LabeledSequences Encoded(LabeledSentences d) => new([.. d.Sentences.Select(Encode)], d.Labels);

        var model = _options.Build(vocabulary.Count + 2, fold.Data.ClassCount);
        var task = new SequenceClassificationTask<float>(model, Encoded(fold.Train), Encoded(fold.Validation), _training.BatchSize, _training.Seed)
        {
            WordDropout = _options.WordDropout, UnknownId = UnknownId,
        };
        var perFold = _training with
        {
            EvalEverySteps = _training.EvalEverySteps > 0 ? _training.EvalEverySteps : task.BatchesPerEpoch, EvalEveryTime = null,
            Monitor = "accuracy", MonitorGoal = MetricGoal.Maximize, RestoreBestWeights = true, CheckpointDirectory = null,
        };
        var result = new Trainer<float>(model, task, perFold, _pool).Train();
        LastTokensPerSecond = result.TokensPerSecond;
        return new RecurrentSentenceClassifier(model, [.. vocabulary.OrderBy(kv => kv.Value).Select(kv => kv.Key)], fold.Data.ClassNames, _training.BatchSize, _pool);
    }
}
