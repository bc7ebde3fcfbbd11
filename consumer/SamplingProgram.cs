using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Text;
using SeqLearn.Training;

namespace Consumer;

/// <summary>
/// Trains a tiny character LSTM on a repeated phrase, saves a checkpoint, loads it back as a fresh model and samples
/// greedily from it: the continuation of the phrase's start must be the phrase.
/// </summary>
public static class SamplingProgram
{
    public static int Run()
    {
        const string phrase = "the quick brown fox jumps. ";
        string text = string.Concat(Enumerable.Repeat(phrase, 120));
        var vocabulary = CharVocabulary.Build(text);
        int[] ids = vocabulary.Encode(text);
        int split = ids.Length * 9 / 10;

        using var pool = new WorkerPool(1);
        var model = new LanguageModel<float>(new LanguageModelConfig(vocabulary.Count, EmbeddingSize: 16, HiddenSize: 48, NumLayers: 1), new SeededRng(1));
        var options = new TrainingOptions { BatchSize = 8, Bptt = 32, MaxSteps = 300, LearningRate = 0.01, Seed = 1 };
        var trainer = new LanguageModelTrainer<float>(model, ids.AsMemory(0, split), ids.AsMemory(split), options, vocabulary, pool);
        trainer.Train();

        string directory = Path.Combine(Path.GetTempPath(), $"seqlearn-consumer-{Environment.ProcessId}");
        try
        {
            LanguageModelCheckpoint.Save(directory, model, vocabulary, trainer.Step);
            var loaded = LanguageModelCheckpoint.Load(directory);
            var generator = new TextGenerator(loaded.Model, loaded.Vocabulary);
            string sample = string.Concat(generator.Generate("the quick", 40, SamplingOptions.Greedy, new SeededRng(2)));
            string expected = string.Concat(Enumerable.Repeat(phrase, 3))["the quick".Length..][..40];
            bool ok = sample == expected;
            Console.WriteLine($"sampling: step {loaded.Data.Step}, greedy sample \"the quick{sample.ReplaceLineEndings(" ")}\"{(ok ? "" : $", expected \"{expected}\"")}");
            return ok ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
