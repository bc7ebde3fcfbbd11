using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class TranslatorConvenienceTests
{
    private static readonly string[] English = ["i see .", "he runs .", "she runs ."];
    private static readonly string[] French = ["je vois .", "il court .", "elle court .", "nous voyons ."];

    [Fact]
    public void Specials_AreTheVocabularysSpecialIds()
    {
        var target = TranslationVocabulary.Build(French, minCount: 1);
        Assert.Equal(new SpecialTokens(target.PadId, target.BosId, target.EosId, target.UnkId), target.Specials);
    }

    [Fact]
    public void Translator_WithoutAPool_TranslatesAsOnAPool()
    {
        var (source, target) = (TranslationVocabulary.Build(English, 1), TranslationVocabulary.Build(French, 1));
        var model = new Seq2Seq<float>(new Seq2SeqConfig(source.Count, target.Count, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(2));
        using var pool = new WorkerPool(2);
        foreach (int beam in new[] { 1, 3 })
        {
            var options = new DecodingOptions(BeamWidth: beam, MaxLengthB: 4);
            Assert.Equal(new Seq2SeqTranslator(model, source, target, options, pool).TranslateAll(English),
                new Seq2SeqTranslator(model, source, target, options).TranslateAll(English));
        }
    }

    [Fact]
    public void Translator_NullSentence_IsNamed()
    {
        var (source, target) = (TranslationVocabulary.Build(English, 1), TranslationVocabulary.Build(French, 1));
        var model = new Seq2Seq<float>(new Seq2SeqConfig(source.Count, target.Count, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(2));
        var translator = new Seq2SeqTranslator(model, source, target, new DecodingOptions(MaxLengthB: 4));
        var e = Assert.Throws<ArgumentNullException>(() => translator.TranslateAll(["i see .", null!]));
        Assert.Contains("sentence 1 is null", e.Message);
        Assert.Equal("sources", e.ParamName);
        var one = Assert.Throws<ArgumentNullException>(() => translator.Translate(null!));
        Assert.Equal("source", one.ParamName);
        Assert.DoesNotContain("TranslateAll", one.Message);
    }

    [Fact]
    public void Translator_SwappedVocabularies_Throws()
    {
        var (source, target) = (TranslationVocabulary.Build(English, 1), TranslationVocabulary.Build(French, 1));
        Assert.NotEqual(source.Count, target.Count);
        var model = new Seq2Seq<float>(new Seq2SeqConfig(source.Count, target.Count, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(1));
        using var pool = new WorkerPool(1);

        var ok = new Seq2SeqTranslator(model, source, target, new DecodingOptions(BeamWidth: 1), pool);
        Assert.Equal(target.Specials, ok.Specials);
        var e = Assert.Throws<ArgumentException>(() => new Seq2SeqTranslator(model, target, source, new DecodingOptions(), pool));
        Assert.Contains("swapped", e.Message);
        var other = TranslationVocabulary.Build(["a b c d e f g"], 1);
        var e2 = Assert.Throws<ArgumentException>(() => new Seq2SeqTranslator(model, source, other, new DecodingOptions(), pool));
        Assert.Equal("target", e2.ParamName);
        Assert.Throws<ArgumentNullException>(() => new Seq2SeqTranslator(model, source, target, null!, pool));
    }

    // M = max(1, ⌊a·n + b⌋) with n the source's ids, its ⟨eos⟩ included: with ⟨eos⟩ forbidden by the minimum length,
    // every output runs to M tokens, greedy and beam alike.
    [Fact]
    public void MaxLength_CountsTheSourcesEos()
    {
        var (source, target) = (TranslationVocabulary.Build(English, 1), TranslationVocabulary.Build(French, 1));
        var model = new Seq2Seq<float>(new Seq2SeqConfig(source.Count, target.Count, EmbeddingSize: 4, HiddenSize: 4), new SeededRng(3));
        Assert.Equal(6, new DecodingOptions(MaxLengthA: 2, MaxLengthB: 0).MaxLength(3));
        string[] sentences = ["i .", "i see he runs ."];                       // w = 2 and 5 tokens: n = 3 and 6
        foreach (int beam in new[] { 1, 3 })
        {
            var options = new DecodingOptions(BeamWidth: beam, MaxLengthA: 2, MaxLengthB: 0, MinLength: 20);
            var outputs = new Seq2SeqTranslator(model, source, target, options).TranslateAll(sentences);
            Assert.Equal([6, 12], outputs.Select(o => o.Split(' ').Length));
        }
    }
}
