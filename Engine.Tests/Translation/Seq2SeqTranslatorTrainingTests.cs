using SeqLearn.Kernels;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// <see cref="Seq2SeqTranslator.Train"/> in one call on a word-for-word task (source word aᵢ → target word bᵢ, same order),
/// then <see cref="Seq2SeqTranslator.Save"/> and <see cref="Seq2SeqTranslator.Load"/>.
/// </summary>
public sealed class Seq2SeqTranslatorTrainingTests
{
    /// <summary>400 distinct sources of 3–6 words from 12; each target is the word-for-word translation.</summary>
    private static TranslationSplit WordForWord()
    {
        var rng = new Random(3);
        var sources = new HashSet<string>();
        while (sources.Count < 400) sources.Add(string.Join(' ', Enumerable.Range(0, rng.Next(3, 7)).Select(_ => $"a{rng.Next(12)}")));
        var pairs = sources.Select((s, i) => new TranslationPair(s, s.Replace('a', 'b'), i + 1)).ToArray();
        return TranslationSplit.Create(pairs);
    }

    private static readonly Seq2SeqConfig Small = Seq2SeqTranslator.DefaultShape with { EmbeddingSize = 16, HiddenSize = 32, Dropout = 0 };

    private static TrainingOptions Steps(int steps) => Seq2SeqTranslator.DefaultTraining with
    {
        TimeBudget = null, EvalEveryTime = null, EvalEverySteps = 100, MaxSteps = steps, BatchSize = 32, MicroBatches = 1,
        Schedule = SeqLearn.Optim.Schedules.ScheduleKind.Constant,   // 10 steps per epoch here: the per-epoch decay would stop it early
    };

    [Fact]
    public void Train_WordForWord_LearnsTheTaskAndReloadsToTheSameTranslations()
    {
        var data = WordForWord();
        using var pool = new WorkerPool(2);
        var untrained = Seq2SeqTranslator.Train(data, Small, Steps(1), pool);      // one step: next to untrained
        var translator = Seq2SeqTranslator.Train(data, Small, Steps(400), pool);
        double before = TranslationEvaluation.Evaluate(untrained, data.Test).Bleu.Score;
        double after = TranslationEvaluation.Evaluate(translator, data.Test).Bleu.Score;
        Assert.True(before < 20, $"untrained BLEU {before}");
        Assert.True(after > 90, $"trained BLEU {after} (untrained {before})");   // 99.4 and 0.09 when written
        Assert.Equal("b3 b7 b1", translator.Translate("a3 a7 a1"));

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
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqTranslator.Train(WordForWord(), labelSmoothing: 1.5));
        Assert.Contains("label smoothing", e.Message);
    }

    [Fact]
    public void Load_AnotherKindOfCheckpoint_SaysWhatItHolds()
    {
        using var dir = new TempDir("not-a-translator");
        var classifier = new SeqLearn.Classification.RecurrentSentenceClassifier(
            new SeqLearn.Classification.RecurrentClassifierOptions(Embedding: 4, Hidden: 4).Build(6, 2), ["<pad>", "<unk>", "a", "b", "c", "d"], ["n", "p"], 4);
        classifier.Save(dir.Path);
        var e = Assert.Throws<ArgumentException>(() => Seq2SeqTranslator.Load(dir.Path));
        Assert.Contains("not a translation model", e.Message);
    }
}
