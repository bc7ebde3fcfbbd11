using System.Diagnostics;

namespace SeqLearn.Translation;

/// <summary>Translates examples with an <see cref="ITranslator"/> and scores them against all their references.</summary>
public static class TranslationEvaluation
{
    /// <summary>Translates every source of <paramref name="examples"/> and computes corpus BLEU-4 with the given smoothing.</summary>
    public static TranslationReport Evaluate(ITranslator translator, IReadOnlyList<TranslationExample> examples,
        BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null)
    {
        var clock = Stopwatch.StartNew();
        var hypotheses = new string[examples.Count];
        if (translator is IBatchTranslator batch)
            batch.TranslateAll([.. examples.Select(e => e.Source)]).ToArray().CopyTo(hypotheses, 0);
        else
            for (int i = 0; i < examples.Count; i++) hypotheses[i] = translator.Translate(examples[i].Source);
        double seconds = clock.Elapsed.TotalSeconds;
        BleuScore score = Bleu.CorpusOfText(hypotheses, examples.Select(e => e.References).ToArray(), smoothing, smoothValue);
        return new TranslationReport(examples, hypotheses, score, Bleu.Signature(ReferenceCount(examples), smoothing, smoothValue), seconds);
    }

    /// <summary>The number of references per example when it is the same for all, else null (<c>nrefs:var</c>).</summary>
    public static int? ReferenceCount(IReadOnlyList<TranslationExample> examples)
    {
        int? count = null;
        foreach (TranslationExample e in examples)
        {
            if (count is null) count = e.References.Count;
            else if (count != e.References.Count) return null;
        }
        return count;
    }
}
