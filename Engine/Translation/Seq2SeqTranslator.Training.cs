using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Translation;

public sealed partial class Seq2SeqTranslator
{
    /// <summary>
    /// The model <c>seqlearn translate train</c> builds by default: GRU, E = H = 256, one layer, bidirectional encoder,
    /// Bahdanau attention, dropout 0.2. Its vocabulary sizes are 0: <see cref="Train"/> sets them from the training pairs.
    /// </summary>
    public static Seq2SeqConfig DefaultShape => new(0, 0, EmbeddingSize: 256, HiddenSize: 256, Bidirectional: true, Attention: AttentionKind.Bahdanau, Dropout: 0.2);

    /// <summary>
    /// The training settings of <c>seqlearn translate train</c>: batches of 64 pairs in two micro-batches, Adam at 2·10⁻³ ×0.8 per
    /// epoch from epoch 4, gradient norm clipped at 1, 300 s, validation BLEU every 60 s, the best weights kept.
    /// </summary>
    public static TrainingOptions DefaultTraining => new()
    {
        BatchSize = 64, MicroBatches = 2, LearningRate = 2e-3, ClipNorm = 1, Schedule = ScheduleKind.StepDecay, StepSize = 1, Gamma = 0.8, FirstDecayEpoch = 4,
        TimeBudget = TimeSpan.FromSeconds(300), EvalEveryTime = TimeSpan.FromSeconds(60),
        Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, RestoreBestWeights = true,
    };

    /// <summary>
    /// Trains a translator in one call, as <c>seqlearn translate train</c> does: vocabularies from
    /// <paramref name="data"/>'s training pairs, a <see cref="Seq2Seq{T}"/> of <paramref name="shape"/> (default
    /// <see cref="DefaultShape"/>; its vocabulary sizes are replaced) trained on them with label smoothing
    /// <paramref name="labelSmoothing"/>, the weights of the best validation BLEU (greedy, all references) kept. Options
    /// default to <see cref="DefaultTraining"/>; the model's initial weights come from its <see cref="TrainingOptions.Seed"/>.
    /// The translator decodes with <paramref name="decoding"/> (default greedy) on <paramref name="pool"/> (default: the
    /// calling thread).
    /// </summary>
    /// <example>
    /// <code>
    /// var data = TranslationSplit.Create(ParallelCorpus.Read("fra-eng.txt"));
    /// var translator = Seq2SeqTranslator.Train(data, training: Seq2SeqTranslator.DefaultTraining with { TimeBudget = TimeSpan.FromMinutes(2) });
    /// string french = translator.Translate("i am cold .");
    /// double bleu = TranslationEvaluation.Evaluate(translator, data.Test).Bleu.Score;
    /// </code>
    /// </example>
    public static Seq2SeqTranslator Train(TranslationSplit data, Seq2SeqConfig? shape = null, TrainingOptions? training = null, WorkerPool? pool = null,
        DecodingOptions? decoding = null, double labelSmoothing = 0.3)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Seq2SeqTranslator.Train: label smoothing must be in [0, 1], got {labelSmoothing}.");
        training ??= DefaultTraining;
        var source = TranslationVocabulary.Build(data.TrainPairs.Select(p => p.Source));
        var target = TranslationVocabulary.Build(data.TrainPairs.Select(p => p.Target));
        var config = (shape ?? DefaultShape) with { SourceVocabulary = source.Count, TargetVocabulary = target.Count };
        config.Validate(nameof(shape));
        var model = new Seq2Seq<float>(config, new SeededRng(training.Seed));
        var greedy = new Seq2SeqTranslator(model, source, target, new DecodingOptions(BeamWidth: 1), pool);
        var validWords = data.Valid.Select(e => TranslationVocabulary.Tokenize(e.Source)).ToArray();
        var validReferences = data.Valid.Select(e => e.References).ToArray();
        var task = new TranslationTask<float>(model,
            [.. data.TrainPairs.Select(p => source.EncodeSentence(p.Source))], [.. data.TrainPairs.Select(p => target.Encode(p.Target))],
            [.. data.Valid.Select(e => source.EncodeSentence(e.Source))], [.. data.Valid.Select(e => target.Encode(e.MostCommonReference))],
            greedy.Specials, training.BatchSize, training.Seed)
        {
            Scorer = hypotheses => Bleu.CorpusOfText([.. hypotheses.Select((h, i) => greedy.Words(h, validWords[i]))], validReferences).Score,
            Decoding = new DecodingOptions(BeamWidth: 1),
            LabelSmoothing = labelSmoothing,
            Vocabulary = VocabulariesToJson(source, target),
        };
        new Trainer<float>(model, task, training, pool).Train();
        model.Eval();
        return new Seq2SeqTranslator(model, source, target, decoding ?? new DecodingOptions(BeamWidth: 1), pool);
    }

    /// <summary>The trained model (<see cref="Train"/> and <see cref="Load"/> return it in evaluation mode; decoding restores the mode it finds).</summary>
    public Seq2Seq<float> Model => model;

    /// <summary>Writes the model and both vocabularies to <paramref name="directory"/> (atomically, as every checkpoint); <see cref="Load"/> reads it.</summary>
    public void Save(string directory) => ModelCheckpoint.Save(directory, model, VocabulariesToJson(source, target));

    /// <summary>
    /// A translator from a checkpoint written by <see cref="Save"/> or <c>seqlearn translate train</c> (<paramref name="directory"/>
    /// itself, or its <c>best</c> or else <c>last</c> checkpoint), decoding with <paramref name="decoding"/> (default greedy) on
    /// <paramref name="pool"/> (default: the calling thread).
    /// </summary>
    /// <exception cref="ArgumentException">The checkpoint holds another kind of model.</exception>
    /// <exception cref="CheckpointFormatException">Its vocabulary is not a translation vocabulary, or does not fit the model (the message names the checkpoint's manifest).</exception>
    public static Seq2SeqTranslator Load(string directory, DecodingOptions? decoding = null, WorkerPool? pool = null, bool replaceUnknown = false)
    {
        var (model, source, target) = LoadModel(directory);
        return new Seq2SeqTranslator(model, source, target, decoding ?? new DecodingOptions(BeamWidth: 1), pool, replaceUnknown);
    }

    /// <summary>The model and vocabularies of a translation checkpoint (as <see cref="Load"/> finds it), the model in evaluation mode.</summary>
    /// <exception cref="ArgumentException">The checkpoint holds another kind of model.</exception>
    /// <exception cref="CheckpointFormatException">Its vocabulary is not a translation vocabulary, or does not fit the model (the message names the checkpoint's manifest).</exception>
    public static (Seq2Seq<float> Model, TranslationVocabulary Source, TranslationVocabulary Target) LoadModel(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string best = Path.Combine(directory, "best"), last = Path.Combine(directory, "last");
        string dir = Checkpoint.Exists(directory) ? directory
            : Checkpoint.Exists(best) ? best : Checkpoint.Exists(last) ? last : directory;   // none: the error names what was given
        var loaded = ModelCheckpoint.Load<float>(dir);
        var model = loaded.Model as Seq2Seq<float> ?? throw new ArgumentException(
            $"{dir}: the checkpoint holds a '{loaded.Data.ModelConfig?["type"]}' model, not a translation model ('seq2seq', written by 'translate train').", nameof(directory));
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        TranslationVocabulary source, target;
        try { (source, target) = VocabulariesFromJson(loaded.Data.Vocabulary); }
        catch (FormatException e) { throw new CheckpointFormatException(manifest, null, e.Message.TrimEnd('.'), e); }
        var (sv, tv) = (model.Config.SourceVocabulary, model.Config.TargetVocabulary);
        if (source.Count != sv || target.Count != tv)
            throw new CheckpointFormatException(manifest, null, $"the vocabularies hold {source.Count} (source) and {target.Count} (target) tokens, the model was built for {sv} and {tv}");
        model.Eval();
        return (model, source, target);
    }
}
