using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>The two-sentence example worked by hand in docs/seq2seq.md §3 (expected values are the page's fractions).</summary>
public class BleuWorkedExampleTests
{
    private const string Hyp1 = "le chat est sur le tapis .";
    private static readonly string[] Refs1 = ["le chat est assis sur le tapis .", "il y a un chat sur le tapis ."];
    private const string Hyp2 = "je suis en retard .";
    private static readonly string[] Refs2 = ["je suis chez moi ."];

    private static BleuScore Sentence(string hyp, string[] refs, BleuSmoothing smoothing) =>
        Bleu.Sentence(FraEngText.Tokenize(hyp), refs.Select(FraEngText.Tokenize).ToArray(), smoothing, effectiveOrder: false);

    [Fact]
    public void Sentence1_ClippedCounts_ClosestLength8_BrevityPenalty()
    {
        BleuScore s = Sentence(Hyp1, Refs1, BleuSmoothing.Exp);
        Assert.Equal([100.0, 500.0 / 6, 60.0, 25.0], s.Precisions.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);   // 7/7, 5/6, 3/5, 1/4
        Assert.Equal((7L, 8L), (s.HypothesisLength, s.ReferenceLength));
        Assert.Equal(Math.Exp(1 - 8.0 / 7), s.BrevityPenalty, 1e-12);
        Assert.Equal(100 * Math.Exp(1 - 8.0 / 7) * Math.Pow(1.0 * 5 / 6 * 3 / 5 / 4, 0.25), s.Score, 1e-9);
    }

    [Theory]
    [InlineData(BleuSmoothing.None, 0.0)]
    [InlineData(BleuSmoothing.Exp, 0.6 * 0.25 / 6 / 8)]             // p3 = 1/(2·3), p4 = 1/(4·2)
    [InlineData(BleuSmoothing.Floor, 0.6 * 0.25 * 0.1 / 3 * 0.1 / 2)]
    [InlineData(BleuSmoothing.AddK, 0.6 * 2 / 5 * 1 / 4 * 1 / 3.0)]  // (1+1)/(4+1), (0+1)/(3+1), (0+1)/(2+1)
    public void Sentence2_ZeroTrigramAndFourGramMatches_UnderEachSmoothing(BleuSmoothing smoothing, double product)
    {
        Assert.Equal(100 * Math.Pow(product, 0.25), Sentence(Hyp2, Refs2, smoothing).Score, 1e-9);
    }

    [Fact]
    public void Corpus_SumsCountsFirst_NotTheMeanOfSentenceScores()
    {
        BleuScore s = Bleu.CorpusOfText([Hyp1, Hyp2], [Refs1, Refs2]);
        // m = (10, 6, 3, 1), t = (12, 10, 8, 6), c = 12, r = 8 + 5 = 13
        Assert.Equal(100 * Math.Exp(1 - 13.0 / 12) * Math.Pow(10.0 / 12 * 6 / 10 * 3 / 8 * 1 / 6, 0.25), s.Score, 1e-9);
        Assert.Equal("BLEU = 38.68 83.3/60.0/37.5/16.7 (BP = 0.920 ratio = 0.923 hyp_len = 12 ref_len = 13)", s.ToString());
    }
}
