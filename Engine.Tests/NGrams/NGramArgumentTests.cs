using SeqLearn.NGrams;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.NGrams;

/// <summary>
/// Arguments the n-gram API cannot use are refused with the parameter named, before they reach an index or a division:
/// null text, a state of another model, a word id outside the vocabulary, an infinite add-k pseudo-count.
/// </summary>
public class NGramArgumentTests
{
    private static readonly string[] Corpus = ["the cat sat", "the cat ran", "a dog sat down"];

    private static BackoffModel Model(int order) => new WittenBell().Estimate(NGramCounts.Count(Corpus, order));

    [Fact]
    public void NullArguments_AreArgumentNullExceptions_NamingTheParameter()
    {
        var model = Model(3);
        Assert.Equal("line", Assert.Throws<ArgumentNullException>(() => model.ScoreSentence(null!)).ParamName);
        Assert.Equal("lines", Assert.Throws<ArgumentNullException>(() => model.Evaluate(null!)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => new NGramSampler(null!)).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => new NGramSampler(model).Sample(null!)).ParamName);
        Assert.Equal("prompt", Assert.Throws<ArgumentNullException>(() => new NGramSampler(model).Sample(new SeededRng(1), null!)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => ArpaWriter.Write(null!, new StringWriter())).ParamName);
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => ArpaWriter.Write(model, (TextWriter)null!)).ParamName);
        Assert.Equal("reader", Assert.Throws<ArgumentNullException>(() => ArpaReader.Read((TextReader)null!, "x")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => ArpaReader.Read((string)null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => ArpaReader.Read("")).ParamName);
        long oovs = 0;
        Assert.Equal("line", Assert.Throws<ArgumentNullException>(() => model.Vocabulary.EncodeSentence(null!, ref oovs)).ParamName);
        foreach (INGramEstimator estimator in new INGramEstimator[] { new ModifiedKneserNey(), new KneserNey(), new AddK(), new WittenBell(), new AbsoluteDiscounting(), new MaximumLikelihood(), new StupidBackoff() })
            Assert.Equal("counts", Assert.Throws<ArgumentNullException>(() => estimator.Estimate(null!)).ParamName);
        Assert.Equal("counts", Assert.Throws<ArgumentNullException>(() => new ModifiedKneserNey().Discounts(null!)).ParamName);
    }

    [Fact]
    public void Evaluate_ANullLine_IsRefusedNamingTheLine()
    {
        var e = Assert.Throws<ArgumentException>(() => Model(2).Evaluate(["the cat", null!]));
        Assert.Contains("line 2 is null", e.Message);
    }

    [Fact]
    public void LogProb10_AStateOfAnotherOrderOrAWordOutsideTheVocabulary_IsAnArgumentError()
    {
        var (bigram, trigram) = (Model(2), Model(3));
        var state = bigram.BeginSentence();
        Assert.Contains("order 2", Assert.Throws<ArgumentException>(() => trigram.LogProb10(state, 4, state)).Message);
        Assert.Equal("next", Assert.Throws<ArgumentException>(() => trigram.LogProb10(trigram.BeginSentence(), 4, state)).ParamName);
        Assert.Equal("word", Assert.Throws<ArgumentOutOfRangeException>(() => trigram.LogProb10(trigram.BeginSentence(), trigram.Vocabulary.Count, null)).ParamName);
        Assert.Equal("word", Assert.Throws<ArgumentOutOfRangeException>(() => trigram.LogProb10([1], -1)).ParamName);
        foreach (int bad in new[] { 99, -1 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => trigram.LogProb10([1, bad], 0));
            Assert.Equal("context", e.ParamName);
            Assert.Contains($"context id {bad} (position 1)", e.Message);
        }
        Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => trigram.LogProb10(null!, 4, null)).ParamName);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    public void AddK_WithoutAFinitePositiveK_IsRefused(double k) =>
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new AddK(k)).ParamName);

    [Fact]
    public void WordsAreSeparatedAsKenLmSeparatesThem_NoBreakAndIdeographicSpacesArePartOfAWord()
    {
        // KenLM splits on ' ', \t, \n, \v, \f, \r only (C's isspace); U+00A0 and U+3000 stay inside words.
        string[] corpus = ["a\u00A0x b", "b c\u3000d", "a\u00A0x\tc\fb"];
        var counts = NGramCounts.Count(corpus, 2);
        Assert.True(counts.Vocabulary.TryGetId("a\u00A0x", out _));
        Assert.True(counts.Vocabulary.TryGetId("c\u3000d", out _));
        Assert.False(counts.Vocabulary.TryGetId("a", out _));
        var model = new WittenBell().Estimate(counts);
        Assert.Equal(["a\u00A0x", "b", "</s>"], model.ScoreSentence("a\u00A0x b").Select(s => s.Token).ToArray());
        var score = model.Evaluate(["a\u00A0x\vb"]);
        Assert.Equal(0, score.Oovs);
        Assert.Equal(model.SentenceLogProb("a\u00A0x b"), score.TotalLogProb, 6);

        var arpa = new StringWriter();
        ArpaWriter.Write(model, arpa);
        var read = ArpaReader.Read(new StringReader(arpa.ToString()), "nbsp.arpa");
        Assert.Equal(model.SentenceLog10Prob("a\u00A0x b c\u3000d"), read.SentenceLog10Prob("a\u00A0x b c\u3000d"));
        Assert.Equal(["a\u00A0x", "b"], NGramVocabulary.SplitWords(" a\u00A0x\r\nb "));
    }

    [Fact]
    public void BackoffModelConstructor_NullOrMissingTables_AreNamed()
    {
        var model = Model(2);
        NGramTable[] tables = [model.Table(1), model.Table(2)];
        float[][] logProb = [model.LogProbs(1).ToArray(), model.LogProbs(2).ToArray()];
        float[][] logBackoff = [model.LogBackoffs(1).ToArray()];
        Assert.Equal(2, new BackoffModel(model.Vocabulary, tables, logProb, logBackoff).Order);
        Assert.Equal("vocabulary", Assert.Throws<ArgumentNullException>(() => new BackoffModel(null!, tables, logProb, logBackoff)).ParamName);
        Assert.Equal("tables", Assert.Throws<ArgumentNullException>(() => new BackoffModel(model.Vocabulary, null!, logProb, logBackoff)).ParamName);
        Assert.Equal("logProb", Assert.Throws<ArgumentNullException>(() => new BackoffModel(model.Vocabulary, tables, null!, logBackoff)).ParamName);
        Assert.Equal("logBackoff", Assert.Throws<ArgumentNullException>(() => new BackoffModel(model.Vocabulary, tables, logProb, null!)).ParamName);
        Assert.Equal("tables", Assert.Throws<ArgumentException>(() => new BackoffModel(model.Vocabulary, [tables[0], null!], logProb, logBackoff)).ParamName);
        Assert.Equal("logProb", Assert.Throws<ArgumentException>(() => new BackoffModel(model.Vocabulary, tables, [logProb[0]], logBackoff)).ParamName);
        Assert.Equal("logProb", Assert.Throws<ArgumentException>(() => new BackoffModel(model.Vocabulary, tables, [logProb[0], null!], logBackoff)).ParamName);
        Assert.Equal("logBackoff", Assert.Throws<ArgumentException>(() => new BackoffModel(model.Vocabulary, tables, logProb, [])).ParamName);
        Assert.Equal("logBackoff", Assert.Throws<ArgumentException>(() => new BackoffModel(model.Vocabulary, tables, logProb, [null!])).ParamName);
    }
}
