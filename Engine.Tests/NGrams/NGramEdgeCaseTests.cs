using SeqLearn.NGrams;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Tests.NGrams;

/// <summary>Edge cases of counting, estimation and ARPA reading: tiny and empty corpora, KenLM's discount rules, odd words.</summary>
public class NGramEdgeCaseTests
{
    // Σ_w p(w | state) over every symbol but <s>.
    private static double Mass(BackoffModel model, NGramState state)
    {
        double sum = 0;
        for (int w = 0; w < model.Vocabulary.Count; w++)
            if (w != model.Vocabulary.BosId) sum += Math.Pow(10, model.LogProb10(state, w, null));
        return sum;
    }

    [Fact]
    public void MknDiscounts_NoCountOfFour_D3PlusIsThree_AsLmplz()
    {
        // lmplz refuses only n1, n2 or n3 = 0 (a division by zero); n4 = 0 gives D3+ = 3 − 0.
        MknDiscounts d = MknDiscounts.Estimate([0, 10, 5, 3, 0]) ?? throw new Xunit.Sdk.XunitException("n4 = 0 was refused.");
        Assert.Equal(0.5, d.D1, 12);
        Assert.Equal(1.1, d.D2, 12);
        Assert.Equal(3.0, d.D3Plus, 12);
        Assert.Null(MknDiscounts.Estimate([0, 10, 5, 0, 0]));
    }

    [Fact]
    public void ModifiedKneserNey_UnigramCountsOneTwoThree_EstimatesWithoutFallback()
    {
        // Unigram counts (the highest order keeps raw counts): a 1, b 2, c 3, </s> 1 → n1..n4 = 2, 1, 1, 0.
        // Y = 2/4; D1 = 1 − 2·0.5·1/2 = 0.5; D2 = 2 − 3·0.5·1/1 = 0.5; D3+ = 3.
        NGramCounts counts = NGramCounts.Count(["a b b c c c"], 1);
        MknDiscounts d = new ModifiedKneserNey().Discounts(counts)[0];
        Assert.Equal(new MknDiscounts(0.5, 0.5, 3.0), d);
        BackoffModel model = new ModifiedKneserNey().Estimate(counts);
        // γ = (0.5·2 + 0.5·1 + 3·1)/7 = 4.5/7, spread over V = 5 symbols (<unk> </s> a b c).
        double share = 4.5 / 7 / 5;
        NGramVocabulary v = counts.Vocabulary;
        Assert.Equal(Math.Log10(share), model.LogProb10([], v.IdOrUnk("c")), 5);
        Assert.Equal(Math.Log10(0.5 / 7 + share), model.LogProb10([], v.IdOrUnk("a")), 5);
        Assert.Equal(Math.Log10(1.5 / 7 + share), model.LogProb10([], v.IdOrUnk("b")), 5);
        Assert.Equal(1, Mass(model, model.EmptyState()), 6);
    }

    [Fact]
    public void EveryEstimator_EmptyCorpus_IsAnEstimationError_NotAModelOfNaNs()
    {
        foreach (int order in new[] { 1, 3 })
        {
            NGramCounts counts = NGramCounts.Count([], order);
            foreach (INGramEstimator estimator in NGramTestCorpus.Estimators())
                Assert.Throws<NGramEstimationException>(() => estimator.Estimate(counts));
        }
        // One empty line is a corpus: one </s> to predict.
        BackoffModel model = new WittenBell().Estimate(NGramCounts.Count([""], 2));
        Assert.Equal(1, Mass(model, model.BeginSentence()), 6);
    }

    [Fact]
    public void Read_TextReaderStartingWithByteOrderMark_FindsTheHeader()
    {
        const string arpa = "\uFEFF\\data\\\nngram 1=3\n\n\\1-grams:\n-0.5\t<unk>\n0\t<s>\n-0.3\t</s>\n\n\\end\\\n";
        BackoffModel model = ArpaReader.Read(new StringReader(arpa), "bom.arpa");
        Assert.Equal(3, model.Vocabulary.Count);
        Assert.Equal(-0.3, model.SentenceLog10Prob(""), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void NormalizedEstimators_RandomCorpora_SumToOneAfterSeenAndUnseenContexts(int order)
    {
        // Probabilities are single-precision log10 values (as in ARPA files): each is exact to ~1e-7 relative.
        for (ulong seed = 1; seed <= 6; seed++)
        {
            string[] lines = NGramTestCorpus.Random(seed, 4 + 3 * (int)seed, 7, 6);
            NGramCounts counts = NGramCounts.Count(lines, order);
            foreach (INGramEstimator estimator in NGramTestCorpus.Estimators().Where(e => e.IsNormalized))
            {
                BackoffModel model = estimator.Estimate(counts);
                var rng = new SeededRng(seed * 31 + (ulong)order);
                for (int trial = 0; trial < 12; trial++)
                {
                    NGramState state = trial % 2 == 0 ? model.BeginSentence() : model.EmptyState();
                    int length = rng.NextInt(order + 2);
                    for (int i = 0; i < length; i++)
                    {
                        int w = rng.NextInt(model.Vocabulary.Count);
                        if (w != model.Vocabulary.BosId) model.LogProb10(state, w, state);
                    }
                    double mass = Mass(model, state);
                    if (estimator is MaximumLikelihood && mass < 0.5) continue; // an unseen word after a seen context: p = 0 by definition
                    Assert.True(Math.Abs(mass - 1) < 1e-6, $"{estimator.Name}, seed {seed}, order {order}, context [{string.Join(' ', state.Words.ToArray())}]: Σ p = {mass}.");
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void WriteThenRead_WordsThatLookLikeArpaSyntax_RoundTrip(int order)
    {
        string[] corpus = ["\\data\\ \\end\\ \\2-grams: -inf ngram 1=3", "<unk> 周 e\u0301 🎵 <unk>", "a \\end\\", "\\1-grams:", ""];
        BackoffModel model = new ModifiedKneserNey(MknDiscounts.KenLmFallback).Estimate(NGramCounts.Count(corpus, order));
        var text = new StringWriter();
        ArpaWriter.Write(model, text);
        BackoffModel back = ArpaReader.Read(new StringReader(text.ToString()), "odd.arpa");
        Assert.Equal(model.Vocabulary.Tokens, back.Vocabulary.Tokens);
        Assert.Equal(model.Evaluate(corpus), back.Evaluate(corpus));
        Assert.Equal(2, model.Evaluate(corpus).Oovs); // the two literal <unk> count as OOVs, as KenLM counts them
    }

    [Fact]
    public void BackoffModel_OrderOutsideTheModel_ThrowsNamingTheRange()
    {
        var model = new WittenBell().Estimate(NGramCounts.Count(["a b c", "b c a"], 3));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.LogProbs(9));
        Assert.Equal("k", e.ParamName);
        Assert.Contains("BackoffModel.LogProbs: order k = 9 is outside [1, 3]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.LogBackoffs(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.LogBackoffs(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Table(0));
        Assert.Equal(0, model.LogBackoffs(3).Length);
    }

    [Fact]
    public void NGramState_OrderBelowOne_AndCopyAcrossOrders_Throw()
    {
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => new NGramState(0)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new NGramState(3).CopyFrom(new NGramState(5)));
        Assert.Equal("other", e.ParamName);
        Assert.Contains("order 5", e.Message);
    }

    [Fact]
    public void Discounting_FallbackOutsideItsRange_Throws()
    {
        Assert.Equal("fallbackDiscount", Assert.Throws<ArgumentOutOfRangeException>(() => new AbsoluteDiscounting(5)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AbsoluteDiscounting(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNey(-0.1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ModifiedKneserNey(new MknDiscounts(0.5, -1, 1.5)));
        Assert.Equal("fallback", e.ParamName);
        Assert.Contains("D2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModifiedKneserNey(new MknDiscounts(0.5, 1, 3.5)));
        _ = new ModifiedKneserNey(MknDiscounts.KenLmFallback);
        _ = new KneserNey(1);
    }
}
