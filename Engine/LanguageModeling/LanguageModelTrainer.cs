using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Optim;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.LanguageModeling;

/// <summary>
/// Trains a <see cref="LanguageModel{T}"/> by truncated backpropagation through time: the one <see cref="Trainer{T}"/>
/// running a <see cref="LanguageModelTask{T}"/> with B = <see cref="TrainingOptions.BatchSize"/> streams and
/// T = <see cref="TrainingOptions.Bptt"/> steps, monitoring the validation loss. A convenience over building the two
/// yourself; every behaviour (stopping, evaluation, checkpoints, bit-exact resume) is the trainer's.
/// </summary>
public sealed class LanguageModelTrainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Trainer<T> _trainer;
    private readonly LanguageModelTask<T> _task;

    /// <summary>
    /// Prepares training of <paramref name="model"/> (in place) on the <paramref name="train"/> stream, validating on
    /// <paramref name="valid"/>. Throws an <see cref="ArgumentException"/> for invalid options, a monitored metric other than
    /// "loss", a training stream shorter than one window (B × (T + 1) tokens), a validation stream shorter than 2B tokens
    /// (one input and one target per stream), or a token id outside the model's vocabulary. <paramref name="vocabulary"/> is
    /// stored in checkpoints as is: pass
    /// <c>LanguageModelCheckpoint.VocabularyToJson(v)</c> (or use the constructor that takes the vocabulary itself) so that
    /// <see cref="LanguageModelCheckpoint.Load"/> (and <c>seqlearn generate</c>) can read the checkpoints back; without it
    /// they hold no vocabulary. <paramref name="pool"/> runs the kernels (null: the calling thread only).
    /// </summary>
    public LanguageModelTrainer(LanguageModel<T> model, ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, TrainingOptions options,
        WorkerPool? pool = null, IProgress<TrainingProgress>? progress = null, JsonNode? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        if (options.Monitor != "loss") throw new ArgumentException($"LanguageModelTrainer: monitors the validation loss, got Monitor = '{options.Monitor}'.", nameof(options));
        _task = new LanguageModelTask<T>(model, train, valid, options.BatchSize, options.Bptt, vocabulary);
        _trainer = new Trainer<T>(model, _task, options, pool, progress);
    }

    /// <summary>
    /// Prepares training on token ids of <paramref name="vocabulary"/> (a <see cref="CharVocabulary"/> or a
    /// <see cref="WordVocabulary"/>), which the checkpoints store so that
    /// <see cref="LanguageModelCheckpoint.Load"/> and <c>seqlearn generate</c> read them back.
    /// </summary>
    /// <exception cref="ArgumentException">The vocabulary's size is not the model's, or it is neither a
    /// <see cref="CharVocabulary"/> nor a <see cref="WordVocabulary"/>.</exception>
    public LanguageModelTrainer(LanguageModel<T> model, ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, TrainingOptions options,
        IVocabulary vocabulary, WorkerPool? pool = null, IProgress<TrainingProgress>? progress = null)
        : this(model, train, valid, options, pool, progress, VocabularyOf(model, vocabulary))
    {
    }

    private static JsonNode VocabularyOf(LanguageModel<T> model, IVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count != model.Config.VocabularySize)
            throw new ArgumentException($"LanguageModelTrainer: the vocabulary has {vocabulary.Count} symbols but the model's vocab_size is {model.Config.VocabularySize}.", nameof(vocabulary));
        return LanguageModelCheckpoint.VocabularyToJson(vocabulary);
    }

    /// <summary>The model being trained.</summary>
    public LanguageModel<T> Model => _task.Model;

    /// <summary>The task the trainer runs.</summary>
    public LanguageModelTask<T> Task => _task;

    /// <summary>The trainer.</summary>
    public Trainer<T> Trainer => _trainer;

    /// <summary>The optimizer (built from the options).</summary>
    public Optimizer<T> Optimizer => _trainer.Optimizer;

    /// <summary>The vocabulary description stored in checkpoints.</summary>
    public JsonNode? Vocabulary => _task.Vocabulary;

    /// <summary>Global optimizer steps so far.</summary>
    public long Step => _trainer.Step;

    /// <summary>Completed epochs.</summary>
    public int Epoch => _trainer.Epoch;

    /// <summary>The next training window within the epoch.</summary>
    public int Window => _trainer.Batch;

    /// <summary>Windows per epoch of the training stream.</summary>
    public int WindowsPerEpoch => _task.BatchesPerEpoch;

    /// <summary>The lowest validation loss so far (+∞ before the first evaluation).</summary>
    public double BestValidLoss => _trainer.BestMetric;

    /// <summary>The step of <see cref="BestValidLoss"/> (0 before the first evaluation).</summary>
    public long BestStep => _trainer.BestStep;

    /// <summary>Where the step time went so far.</summary>
    public StepTimings Timings => _trainer.Timings;

    /// <summary>Runs until a stop condition of the options is met (see <see cref="Trainer{T}.Train"/>).</summary>
    public TrainingResult Train(CancellationToken cancellation = default) => _trainer.Train(cancellation);

    /// <summary>The mean cross-entropy per predicted token of the validation stream (eval mode, no graph).</summary>
    public double Evaluate() => _task.Evaluate(_trainer.Pool)["loss"];

    /// <summary>The mean cross-entropy per predicted token over every window of <paramref name="batcher"/> (see <see cref="LanguageModelTask{T}.MeanLoss"/>).</summary>
    public static double MeanLoss(LanguageModel<T> model, BpttBatcher batcher, WorkerPool? pool) => LanguageModelTask<T>.MeanLoss(model, batcher, pool);

    /// <summary>Writes a resumable checkpoint to <paramref name="directory"/> atomically.</summary>
    public void SaveCheckpoint(string directory) => _trainer.SaveCheckpoint(directory);

    /// <summary>Loads <paramref name="directory"/> and resumes from it.</summary>
    public void Resume(string directory) => _trainer.Resume(directory);

    /// <summary>Resumes from a loaded checkpoint (see <see cref="Trainer{T}.Resume(CheckpointData{T})"/>).</summary>
    public void Resume(CheckpointData<T> data) => _trainer.Resume(data);
}
