using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// <see cref="Seq2SeqTranslator.Train"/> in one call on a reordering task (source words sᵢ → target words tᵢ in reverse order),
/// then <see cref="Seq2SeqTranslator.Save"/> and <see cref="Seq2SeqTranslator.Load"/>.
/// </summary>
public sealed class Seq2SeqTranslatorTrainingTests
{
    /// <summary>500 distinct sources of 3–6 words from 10; each target is the word-by-word translation in reverse order.</summary>
    private static TranslationSplit Reversed()
    {
        var rng = new SeededRng(5);
        var sources = new HashSet<string>();
        while (sources.Count < 500) sources.Add(string.Join(' ', Enumerable.Range(0, rng.Next(3, 7)).Select(_ => $"s{rng.Next(10)}")));
        var pairs = sources.Select((s, i) => new TranslationPair(s, string.Join(' ', s.Split(' ').Reverse().Select(w => "t" + w[1..])), i + 1));
        return TranslationSplit.Create([.. pairs]);
    }

    private static readonly Seq2SeqConfig Small = Seq2SeqTranslator.DefaultShape with { EmbeddingSize = 16, HiddenSize = 32, Dropout = 0 };

    private static TrainingOptions Steps(int steps) => Seq2SeqTranslator.DefaultTraining with
    {
        TimeBudget = null, EvalEveryTime = null, EvalEverySteps = 100, MaxSteps = steps, BatchSize = 32, MicroBatches = 1,
        Schedule = SeqLearn.Optim.Schedules.ScheduleKind.Constant,   // 10 steps per epoch here: the per-epoch decay would stop it early
    };

    [Fact]
    public void Train_ReversedTranslation_LearnsTheTaskAndReloadsToTheSameTranslations()
    {
        var data = Reversed();
        using var pool = new WorkerPool(2);
        var untrained = Seq2SeqTranslator.Train(data, Small, Steps(1), pool);      // one step: next to untrained
        var translator = Seq2SeqTranslator.Train(data, Small, Steps(600), pool);
        double before = TranslationEvaluation.Evaluate(untrained, data.Test).Bleu.Score;
        double after = TranslationEvaluation.Evaluate(translator, data.Test).Bleu.Score;
        Assert.True(before < 20, $"untrained BLEU {before}");
        Assert.True(after > 90, $"trained BLEU {after} (untrained {before})");   // 98.6 and 0 when written
        Assert.Equal("t1 t7 t3", translator.Translate("s3 s7 s1"));

        using var dir = new TempDir("translator");
        translator.Save(dir.Path);
        var loaded = Seq2SeqTranslator.Load(dir.Path, new DecodingOptions(BeamWidth: 1), pool);
        var sources = data.Test.Select(e => e.Source).ToArray();
        Assert.Equal(translator.TranslateAll(sources), loaded.TranslateAll(sources));
    }

    [Fact]
    public void Train_BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => Seq2SeqTranslator.Train(null!));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqTranslator.Train(Reversed(), labelSmoothing: 1.5));
        Assert.Contains("label smoothing", e.Message);
    }

    [Fact]
    public void Load_AnotherKindOfCheckpoint_SaysWhatItHolds()
    {
        using var dir = new TempDir("not-a-translator");
        var classifier = new SeqLearn.Classification.RecurrentSentenceClassifier(
            new SeqLearn.Classification.RecurrentClassifierOptions(Embedding: 4, Hidden: 4).Build(6, 2), ["a", "b", "c", "d"], ["n", "p"], 4);
        classifier.Save(dir.Path);
        var e = Assert.Throws<ArgumentException>(() => Seq2SeqTranslator.Load(dir.Path));
        Assert.Contains("not a translation model", e.Message);
        Assert.Equal("directory", e.ParamName);
    }

    [Fact]
    public void Load_NoCheckpointThereNorInBestOrLast_NamesThePathGiven()
    {
        using var dir = new TempDir("no-translator");
        string missing = dir.Combine("run/best");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Seq2SeqTranslator.Load(missing));
        Assert.Equal($"no checkpoint directory at {missing}.", e.Message);
    }
}
