using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The public translation APIs refuse null and invalid arguments with an ArgumentException of the right kind, naming the
/// parameter (or, for <see cref="DecodingOptions.Validate"/>, the field).
/// </summary>
public class TranslationArgumentTests
{
    private static readonly string[] Hypothesis = ["il", "est", "riche"];
    private static readonly IReadOnlyList<IReadOnlyList<string>>[] OneReference = [[["il", "est", "riche"]]];

    private static IReadOnlyList<TranslationPair> Pairs(int distinct) =>
        [.. Enumerable.Range(0, distinct).Select(i => new TranslationPair($"s{i} .", $"t{i} .", i + 1))];

    private static void Null(string param, Action act) => Assert.Equal(param, Assert.Throws<ArgumentNullException>(act).ParamName);

    private static void OutOfRange(string param, Action act) => Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(act).ParamName);

    private static void Invalid(string param, Action act) => Assert.Equal(param, Assert.Throws<ArgumentException>(act).ParamName);

    [Fact]
    public void Pairs_Splits_AndVocabularies_NameTheirParameter()
    {
        Null("pairs", () => TranslationExample.Group(null!));
        Null("pairs", () => TranslationExample.Group([null!]));
        Null("pairs", () => TranslationSplit.Create(null!));
        Null("pairs", () => TranslationSplit.Create([.. Pairs(12), null!]));
        Invalid("pairs", () => TranslationSplit.Create(Pairs(9)));
        var split = TranslationSplit.Create(Pairs(12));
        Invalid("name", () => split.Part("x"));
        Null("name", () => split.Part(null!));
        Null("sentences", () => TranslationVocabulary.Build(null!));
        Null("sentences", () => TranslationVocabulary.Build(["a b", null!]));
        Null("preprocessed", () => FraEngText.Tokenize(null!));
        Null("source", () => ParallelCorpus.Parse("a\tb\n"u8, null!));
        Null("training", () => new TranslationMemory(null!));
        Null("training", () => new TranslationMemory([null!]));
        Null("examples", () => TranslationEvaluation.ReferenceCount(null!));
        Null("examples", () => TranslationEvaluation.ReferenceCount([null!]));
    }

    [Fact]
    public void Bleu_NamesItsParameter()
    {
        Null("hypotheses", () => Bleu.Corpus(null!, OneReference));
        Null("references", () => Bleu.Corpus([Hypothesis], null!));
        Null("hypotheses", () => Bleu.CorpusOfText(null!, [["a"]]));
        Null("hypotheses", () => Bleu.CorpusOfText([null!], [["a"]]));
        Null("references", () => Bleu.CorpusOfText(["a"], null!));
        Null("references", () => Bleu.CorpusOfText(["a"], [null!]));
        Null("references", () => Bleu.CorpusOfText(["a"], [[null!]]));
        OutOfRange("smoothing", () => Bleu.Signature(1, (BleuSmoothing)9));
        Null("other", () => new BleuStatistics().Add((BleuStatistics)null!));
        Null("references", () => BleuStatistics.ClosestReferenceLength(3, null!));
        Invalid("references", () => BleuStatistics.ClosestReferenceLength(3, []));
        Null("references", () => BleuStatistics.ClosestReferenceLength(3, [null!]));
        Null("tokens", () => BleuStatistics.NGrams(null!, 1));
        Null("tokens", () => BleuStatistics.NGrams(["a", null!], 1));
        OutOfRange("n", () => BleuStatistics.NGrams(Hypothesis, 0));
        OutOfRange("n", () => BleuStatistics.NGrams(Hypothesis, -1));
        Null("prediction", () => D2lBleu.Score(null!, "a", 2));
        Null("label", () => D2lBleu.Score("a", null!, 2));
    }

    [Fact]
    public void DecodingOptions_Validate_NamesTheField()
    {
        OutOfRange("Normalization", () => new DecodingOptions(Normalization: (LengthNormalization)7).Validate());
        OutOfRange("BeamWidth", () => new DecodingOptions(BeamWidth: 0).Validate());
        OutOfRange("Alpha", () => new DecodingOptions(Alpha: double.NaN).Validate());
        OutOfRange("MaxLengthA", () => new DecodingOptions(MaxLengthA: -1).Validate());
        OutOfRange("MinLength", () => new DecodingOptions(MinLength: -1).Validate());
        OutOfRange("NoRepeatNGram", () => new DecodingOptions(NoRepeatNGram: -1).Validate());
        new DecodingOptions().Validate();
    }

    [Fact]
    public void VocabulariesToJson_AndSimilarity_NameTheirParameter()
    {
        var vocabulary = TranslationVocabulary.Build(["a b"]);
        Null("source", () => Seq2SeqTranslator.VocabulariesToJson(null!, vocabulary));
        Null("target", () => Seq2SeqTranslator.VocabulariesToJson(vocabulary, null!));
        Null("query", () => TranslationMemory.Similarity(null!, "a"));
        Null("candidate", () => TranslationMemory.Similarity("a", null!));
    }
}
