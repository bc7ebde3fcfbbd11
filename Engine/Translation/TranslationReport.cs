namespace SeqLearn.Translation;

/// <summary>The result of translating a list of examples and scoring them with multi-reference corpus BLEU.</summary>
/// <param name="Examples">The sources with their references.</param>
/// <param name="Hypotheses">One translation per example.</param>
/// <param name="Bleu">Corpus BLEU over all examples.</param>
/// <param name="Signature">sacreBLEU-style signature of how <paramref name="Bleu"/> was computed.</param>
/// <param name="Seconds">Wall-clock time of the translations (not the scoring).</param>
public sealed record TranslationReport(IReadOnlyList<TranslationExample> Examples, IReadOnlyList<string> Hypotheses, BleuScore Bleu,
    string Signature, double Seconds);
