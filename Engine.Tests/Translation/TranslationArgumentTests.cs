using SeqLearn.Data;
using SeqLearn.Nn;
using SeqLearn.Tensors;
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

    [Fact]
    public void Seq2SeqDecoding_NamesItsNullParameter()
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(8, 8, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(1));
        int[][] sources = [[4, 5, 2]];
        var specials = ReverseTaskTests.Specials;
        var options = new DecodingOptions(BeamWidth: 2, MaxLengthA: 0, MaxLengthB: 2);
        Null("specials", () => Seq2SeqDecoding.Greedy(model, sources, null!, options, null));
        Null("options", () => Seq2SeqDecoding.Greedy(model, sources, specials, null!, null));
        Null("specials", () => Seq2SeqDecoding.Beam(model, sources, null!, options, null));
        Null("options", () => Seq2SeqDecoding.Beam(model, sources, specials, null!, null));
        Assert.Single(Seq2SeqDecoding.Beam(model, sources, specials, options, null));
    }

    [Theory]
    [InlineData(AttentionKind.None)]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongGeneral)]
    public void Seq2SeqDecoder_NamesANullContext(AttentionKind attention)
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(8, 8, EmbeddingSize: 4, HiddenSize: 4, Attention: attention), new SeededRng(1));
        var batch = PairBatch.Pad([[4, 5], [6]], [[4], [5, 6]], [0, 1], padId: 0, bosId: 1, eosId: 2);
        var context = new LayerContext();
        var encoding = model.Encode(batch.Source, context);
        var input = batch.DecoderInput;
        var embedded = model.Decoder.Embed(input.Ids, input.BatchSize, input.Steps, context);
        var first = model.Decoder.Embed(input.Ids.AsSpan(0, input.BatchSize), input.BatchSize, 1, context);
        var state = model.Decoder.Start(encoding);
        Null("context", () => model.Decoder.Embed(input.Ids, input.BatchSize, input.Steps, null!));
        Null("context", () => model.Decoder.Features(embedded, input.Lengths, encoding, null!));
        Null("context", () => model.Decoder.Forward(embedded, input.Lengths, encoding, null!));
        Null("context", () => model.Decoder.Step(first, state, encoding, null!));
        Assert.Equal(8, model.Decoder.Step(first, state, encoding, context).Logits.Value.Dim(2));
    }

    [Fact]
    public void AnInvalidConfig_NamesTheParameterThatCarriedIt()
    {
        Invalid("config", () => new Seq2Seq<float>(new Seq2SeqConfig(0, 8), new SeededRng(1)));
        Invalid("config", () => new Seq2Seq<float>(new Seq2SeqConfig(8, 8, InputFeeding: true, Attention: AttentionKind.Bahdanau), new SeededRng(1)));
        Invalid("shape", () => Seq2SeqTranslator.Train(TranslationSplit.Create(Pairs(12)), new Seq2SeqConfig(1, 1, HiddenSize: 0)));
        Assert.Null(Assert.Throws<ArgumentException>(() => new Seq2SeqConfig(0, 8).Validate()).ParamName);
    }

    [Fact]
    public void MismatchedCountsAndSizes_NameTheParameterAtFault()
    {
        var model = new Seq2Seq<float>(new Seq2SeqConfig(8, 8, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(1));
        int[][] sources = [[4, 5]];
        var specials = new SpecialTokens(Pad: 0, Bos: 1, Eos: 2, Unk: 3);
        Invalid("trainSources", () => new TranslationTask<float>(model, [], [], null, null, specials, 1, 1));
        Invalid("trainTargets", () => new TranslationTask<float>(model, sources, [], null, null, specials, 1, 1));
        Invalid("validSources", () => new TranslationTask<float>(model, sources, sources, null, sources, specials, 1, 1));
        Invalid("validTargets", () => new TranslationTask<float>(model, sources, sources, sources, null, specials, 1, 1));
        using var stepper = new Seq2SeqStepper<float>(model, sources, 1, 0, null);
        int v = stepper.Vocabulary, s = stepper.SourceSteps;
        Invalid("previous", () => stepper.Step([1, 1], new double[v], new double[s]));
        Invalid("logProbs", () => stepper.Step([1], new double[v + 1], new double[s]));
        Invalid("attention", () => stepper.Step([1], new double[v], new double[s + 1]));
        Invalid("parents", () => stepper.Reorder([0, 0]));
    }
}
