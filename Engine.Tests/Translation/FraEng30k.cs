using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>shared/data/translation/fra-eng-30k.txt, read once per test run (the library types are immutable).</summary>
internal static class FraEng30k
{
    private static readonly Lazy<IReadOnlyList<TranslationPair>> LazyPairs = new(() => ParallelCorpus.Read(Path));
    private static readonly Lazy<TranslationSplit> LazySplit = new(() => TranslationSplit.Create(Pairs));

    /// <summary>Path of the corpus.</summary>
    public static string Path => SharedData.PathOf("data/translation/fra-eng-30k.txt");

    /// <summary>All 30,000 preprocessed pairs.</summary>
    public static IReadOnlyList<TranslationPair> Pairs => LazyPairs.Value;

    /// <summary>The split with <see cref="TranslationSplit.DefaultSeed"/>.</summary>
    public static TranslationSplit DefaultSplit => LazySplit.Value;
}
