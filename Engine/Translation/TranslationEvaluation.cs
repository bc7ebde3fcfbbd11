using System.Diagnostics;

namespace SeqLearn.Translation;

/// <summary>Translates examples with an <see cref="ITranslator"/> and scores them against all their references.</summary>
public static class TranslationEvaluation
{
    /// <summary>Translates every source of <paramref name="examples"/> and computes corpus BLEU-4 with the given smoothing.</summary>
    public static TranslationReport Evaluate(ITranslator translator, IReadOnlyList<TranslationExample> examples,
        BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null)
    {
        ArgumentNullException.ThrowIfNull(translator);
        CheckExamples(examples);
        var clock = Stopwatch.StartNew();
        var hypotheses = new string[examples.Count];
        if (translator is IBatchTranslator batch)
        {
            var outputs = batch.TranslateAll([.. examples.Select(e => e.Source)]);
            if (outputs is null || outputs.Count != examples.Count)
                throw new InvalidOperationException($"TranslationEvaluation: {Name(translator)}.TranslateAll returned {outputs?.Count.ToString() ?? "null"} translations for {examples.Count} sources.");
            for (int i = 0; i < hypotheses.Length; i++) hypotheses[i] = outputs[i];
        }
        else
            for (int i = 0; i < examples.Count; i++) hypotheses[i] = translator.Translate(examples[i].Source);
        for (int i = 0; i < hypotheses.Length; i++)
            if (hypotheses[i] is null)
                throw new InvalidOperationException($"TranslationEvaluation: {Name(translator)} returned null for source {i} ('{examples[i].Source}').");
        double seconds = clock.Elapsed.TotalSeconds;
        BleuScore score = Bleu.CorpusOfText(hypotheses, examples.Select(e => e.References).ToArray(), smoothing, smoothValue);
        return new TranslationReport(examples, hypotheses, score, Bleu.Signature(ReferenceCount(examples), smoothing, smoothValue), seconds);
    }

    private static void CheckExamples(IReadOnlyList<TranslationExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        for (int i = 0; i < examples.Count; i++)
            if (examples[i] is null) throw new ArgumentNullException(nameof(examples), $"TranslationEvaluation: example {i} is null.");
    }

    // The translator's type and description, for messages about what it returned.
    private static string Name(ITranslator translator) => $"{Checks.TypeName(translator.GetType())} ({translator.Description})";

    /// <summary>The number of references per example when it is the same for all, else null (<c>nrefs:var</c>).</summary>
    public static int? ReferenceCount(IReadOnlyList<TranslationExample> examples)
    {
        CheckExamples(examples);
        int? count = null;
        foreach (TranslationExample e in examples)
        {
            if (count is null) count = e.References.Count;
            else if (count != e.References.Count) return null;
        }
        return count;
    }
}
