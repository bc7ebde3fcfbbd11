using SeqLearn.Training;
using SeqLearn.Translation;

namespace Consumer;

/// <summary>
/// A translator in one call: <c>Seq2SeqTranslator.Train</c> on a word-for-word task (source word aᵢ → target word bᵢ), then
/// <c>Save</c> and <c>Load</c> back, as a package user would train, keep and reuse one.
/// </summary>
public static class TranslatorProgram
{
    public static int Run()
    {
        var rng = new Random(3);
        var sources = new HashSet<string>();
        while (sources.Count < 400) sources.Add(string.Join(' ', Enumerable.Range(0, rng.Next(3, 7)).Select(_ => $"a{rng.Next(12)}")));
        var pairs = sources.Select((s, i) => new TranslationPair(s, s.Replace('a', 'b'), i + 1)).ToArray();
        var data = TranslationSplit.Create(pairs);

        var shape = Seq2SeqTranslator.DefaultShape with { EmbeddingSize = 16, HiddenSize = 32, Dropout = 0 };
        var training = Seq2SeqTranslator.DefaultTraining with
        {
            TimeBudget = null, EvalEveryTime = null, EvalEverySteps = 100, MaxSteps = 400, BatchSize = 32, MicroBatches = 1,
            Schedule = SeqLearn.Optim.Schedules.ScheduleKind.Constant,
        };
        var translator = Seq2SeqTranslator.Train(data, shape, training);
        double bleu = TranslationEvaluation.Evaluate(translator, data.Test).Bleu.Score;

        string directory = Path.Combine(Path.GetTempPath(), $"consumer-translator-{Environment.ProcessId}");
        try
        {
            translator.Save(directory);
            var loaded = Seq2SeqTranslator.Load(directory);
            var test = data.Test.Select(e => e.Source).ToArray();
            bool same = translator.TranslateAll(test).SequenceEqual(loaded.TranslateAll(test));
            Console.WriteLine($"translator: test BLEU {bleu:F1} (needs ≥ 90), \"a3 a7 a1\" → \"{loaded.Translate("a3 a7 a1")}\", reloaded translations {(same ? "identical" : "DIFFERENT")}");
            return bleu >= 90 && same ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
