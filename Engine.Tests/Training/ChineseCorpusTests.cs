using SeqLearn.Data;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

public class ChineseCorpusTests
{
    [Fact]
    public void JayChouLyrics_CharLstm_LearnsAndGeneratesChinese()
    {
        // The Jay Chou lyrics corpus: 2,583 distinct characters, almost all CJK ideographs, one symbol each.
        string text = TextFile.ReadAllText(SharedData.PathOf("data/jaychou/jaychou_lyrics.txt"))[..20_000];
        var vocab = CharVocabulary.Build(text);
        Assert.True(vocab.Count > 1000, $"vocabulary {vocab.Count}");
        var split = CorpusSplit.ByFraction(vocab.Encode(text), 0.9, 0.1);
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 32, 64, 1), new SeededRng(3));
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { BatchSize = 16, Bptt = 32, LearningRate = 0.01, MaxSteps = 60, EvalEverySteps = 60 };
        var result = new LanguageModelTrainer<float>(model, split.Train, split.Valid, options, pool).Train();

        double uniform = Math.Log(vocab.Count);                       // ≈ 6.9 nats: an untrained model starts near it
        Assert.InRange(result.StepLosses[0], uniform - 0.5, uniform + 0.5);
        Assert.True(result.StepLosses.TakeLast(10).Average() < uniform - 1.5, $"train loss at the end: {result.StepLosses.TakeLast(10).Average():F3}");
        Assert.True(result.FinalValidLoss < uniform - 1.0, $"valid loss {result.FinalValidLoss:F3}");

        var generator = new TextGenerator(model, vocab);
        string sample = string.Concat(generator.Generate("我", 40, new SamplingOptions(Temperature: 0.8), new SeededRng(4)));
        Assert.True(sample.EnumerateRunes().Count(r => r.Value is >= 0x4E00 and <= 0x9FFF) >= 20, $"sample: {sample}");
    }
}
