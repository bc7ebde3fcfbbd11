using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>
/// A trained recurrent sentence classifier: its <see cref="Sequential{T}"/> model (token ids → class logits), the word
/// vocabulary of its training data and the class names. Words outside the vocabulary read as &lt;unk&gt;; a sentence
/// without tokens is one &lt;unk&gt;. Probabilities come from padded batches masked by length, so a sentence gets the
/// same probabilities alone and inside any batch.
/// <para>
/// <see cref="Save"/> writes a <see cref="ModelCheckpoint"/> directory (kind <c>sequential</c>) whose vocabulary entry is
/// <c>{"type": "sentence_classifier", "words": [w₂, w₃, …], "classes": [...], "pad_id": 0, "unk_id": 1}</c>, word wᵢ
/// having id i; <see cref="Load"/> reads it back.
/// </para>
/// </summary>
public sealed class RecurrentSentenceClassifier : ISentenceClassifier
{
    private const string VocabularyType = "sentence_classifier";
    private readonly Sequential<float> _model;
    private readonly Dictionary<string, int> _ids;
    private readonly string[] _words;
    private readonly WorkerPool? _pool;

    /// <summary>A classifier over <paramref name="model"/> (switched to evaluation mode); <paramref name="words"/>[k] has id k + 2.</summary>
    public RecurrentSentenceClassifier(Sequential<float> model, IReadOnlyList<string> words, IReadOnlyList<string> classNames, int batchSize = 50, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (classNames.Count < 2) throw new ArgumentException($"RecurrentSentenceClassifier: needs at least 2 classes, got {classNames.Count}.", nameof(classNames));
        if (model.Layers.Count > 0 && model.Layers[^1] is Linear<float> output && output.OutFeatures != classNames.Count)
            throw new ArgumentException($"RecurrentSentenceClassifier: {classNames.Count} class names for a model whose last Linear layer has {output.OutFeatures} outputs.", nameof(classNames));
        if (model.Layers.Count > 0 && model.Layers[0] is Embedding<float> embedding && embedding.NumEmbeddings < words.Count + 2)
            throw new ArgumentException($"RecurrentSentenceClassifier: {words.Count} words need ids up to {words.Count + 1}, but the model's embedding has {embedding.NumEmbeddings} rows.", nameof(words));
        _words = [.. words];
        _ids = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int k = 0; k < _words.Length; k++)
            if (!_ids.TryAdd(_words[k], k + 2)) throw new ArgumentException($"RecurrentSentenceClassifier: the word '{_words[k]}' appears twice in the vocabulary.", nameof(words));
        (_model, ClassNames, BatchSize, _pool) = (model, [.. classNames], batchSize, pool);
        _model.Eval();
    }

    /// <summary>The model: ids (B, T) with lengths → logits (B, C).</summary>
    public Sequential<float> Model => _model;

    /// <summary>The vocabulary: word k has id k + 2.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Class names by id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Sentences per forward pass when predicting.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <summary>The token ids of a sentence (unknown words → <see cref="RecurrentClassifierFactory.UnknownId"/>, an empty sentence → one &lt;unk&gt;).</summary>
    public int[] Encode(string[] sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        if (Array.IndexOf(sentence, null) is int at and >= 0)
            throw new ArgumentNullException(nameof(sentence), $"RecurrentSentenceClassifier: token {at} of the sentence is null.");
        return sentence.Length == 0 ? [RecurrentClassifierFactory.UnknownId]
            : [.. sentence.Select(w => _ids.GetValueOrDefault(w, RecurrentClassifierFactory.UnknownId))];
    }

    /// <inheritdoc/>
    public double[][] PredictProbabilities(IReadOnlyList<string[]> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        for (int i = 0; i < sentences.Count; i++)
            if (sentences[i] is null) throw new ArgumentNullException(nameof(sentences), $"RecurrentSentenceClassifier: sentence {i} is null.");
        return [.. _model.Predict([.. sentences.Select(Encode)], BatchSize, _pool).Select(p => p.Select(x => (double)x).ToArray())];
    }

    /// <summary>
    /// The predicted class of each sentence, as <see cref="ISentenceClassifier.Predict"/> (public here so that it is
    /// callable without a cast to the interface); <see cref="ClassNames"/> names it.
    /// </summary>
    public int[] Predict(IReadOnlyList<string[]> sentences) => [.. PredictProbabilities(sentences).Select(ISentenceClassifier.ArgMax)];

    /// <summary>
    /// Trains a classifier on all of <paramref name="data"/> in one call: a stratified validation part of
    /// <paramref name="validationFraction"/> per class picks the best epoch (<see cref="FoldAssignment.TrainingSplit"/>),
    /// the rest trains a <see cref="RecurrentClassifierFactory"/> model. Options default to
    /// <c>new RecurrentClassifierOptions()</c> and <see cref="RecurrentClassifierOptions.DefaultTraining"/>;
    /// <paramref name="pool"/> runs the training and the classifier's predictions (null: the calling thread).
    /// </summary>
    /// <example>
    /// <code>
    /// string[][] sentences = [.. lines.Select(TokenVocabulary.Tokenize)];
    /// var data = new LabeledSentences(sentences, labels, ["neg", "pos"]);
    /// var classifier = RecurrentSentenceClassifier.Train(data);
    /// double[][] p = classifier.PredictProbabilities([TokenVocabulary.Tokenize("a moving film")]);
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException">The validation part drawn is empty (too few sentences per class).</exception>
    public static RecurrentSentenceClassifier Train(LabeledSentences data, RecurrentClassifierOptions? options = null, TrainingOptions? training = null,
        WorkerPool? pool = null, double validationFraction = FoldAssignment.DefaultValidationFraction, ulong seed = FoldAssignment.DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"RecurrentSentenceClassifier.Train: the validation fraction must be in (0, 1) (got {validationFraction}); the validation part picks the best epoch.");
        var fold = FoldAssignment.TrainingSplit(data, validationFraction, seed);
        return new RecurrentClassifierFactory(options ?? new RecurrentClassifierOptions(), training ?? RecurrentClassifierOptions.DefaultTraining, pool).Train(fold);
    }

    /// <summary>
    /// Writes the model, vocabulary and class names to <paramref name="directory"/> (atomically, as every checkpoint). While
    /// it writes, it holds the lock file <c>{directory}.lock</c> beside the directory: a second process saving to the same
    /// directory at the same time gets an <see cref="IOException"/> naming the holder instead of mixing the two writes.
    /// </summary>
    public void Save(string directory)
    {
        using var held = CheckpointDirectoryLock.AcquireBeside(directory);
        SaveUnlocked(directory);
    }

    /// <summary><see cref="Save"/> for a caller that holds the lock (or writes inside a directory it owns).</summary>
    internal void SaveUnlocked(string directory)
    {
        var vocabulary = new JsonObject
        {
            ["type"] = VocabularyType,
            ["words"] = new JsonArray([.. _words.Select(w => (JsonNode)JsonValue.Create(w))]),
            ["classes"] = new JsonArray([.. ClassNames.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["pad_id"] = RecurrentClassifierFactory.PadId,
            ["unk_id"] = RecurrentClassifierFactory.UnknownId,
        };
        ModelCheckpoint.Save(directory, _model, vocabulary);
    }

    /// <summary>
    /// Reads a classifier written by <see cref="Save"/>. A checkpoint of another kind, a vocabulary field of the wrong JSON
    /// type, or a vocabulary that does not fit the model (a class count other than the output layer's width, a class named
    /// twice, a word count other than the embedding's rows − 2) is a <see cref="CheckpointFormatException"/> naming the
    /// checkpoint's manifest and saying why.
    /// </summary>
    public static RecurrentSentenceClassifier Load(string directory, WorkerPool? pool = null, int batchSize = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var loaded = ModelCheckpoint.Load<float>(directory);
        string manifest = Path.Combine(directory, Checkpoint.ManifestFileName);
        CheckpointFormatException Bad(string why) => new(manifest, null, why);
        if (loaded.Model is not Sequential<float> model) throw Bad("the model is not a sequential classifier");
        if (loaded.Data.Vocabulary is not JsonObject v || v["type"] is not JsonValue type || !type.TryGetValue(out string? typeName) || typeName != VocabularyType)
            throw Bad($"the vocabulary is not of type '{VocabularyType}' (not a sentence classifier checkpoint)");
        const string Field = "vocabulary.";
        if (JsonFields.Int(v, "pad_id", manifest, Field) != RecurrentClassifierFactory.PadId || JsonFields.Int(v, "unk_id", manifest, Field) != RecurrentClassifierFactory.UnknownId)
            throw Bad($"pad_id and unk_id must be {RecurrentClassifierFactory.PadId} and {RecurrentClassifierFactory.UnknownId}");
        string[] words = JsonFields.Strings(v, "words", manifest, Field), classes = JsonFields.Strings(v, "classes", manifest, Field);
        if (model.Layers is not [Embedding<float> embedding, .., Linear<float> output])
            throw Bad("the model is not a sentence classifier (a sequential model from an embedding to a linear layer)");
        if (classes.Length != output.OutFeatures)
            throw Bad($"'vocabulary.classes' holds {classes.Length} class names, the model's output layer has {output.OutFeatures} outputs");
        if (classes.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw Bad($"'vocabulary.classes' names the class '{twice.Key}' twice");
        if (words.Length + 2 != embedding.NumEmbeddings)
            throw Bad($"'vocabulary.words' holds {words.Length} words (ids 2 to {words.Length + 1}), the model's embedding has {embedding.NumEmbeddings} rows (ids 0 to {embedding.NumEmbeddings - 1})");
        try
        {
            return new RecurrentSentenceClassifier(model, words, classes, batchSize, pool);
        }
        catch (ArgumentException e)
        {
            throw Bad(Checks.MessageWithoutParameter(e).TrimEnd('.'));
        }
    }
}
