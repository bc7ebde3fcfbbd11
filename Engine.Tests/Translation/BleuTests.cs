using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class BleuTests
{
    private static string[] T(string s) => FraEngText.Tokenize(s);

    // NLTK's documentation example for corpus_bleu (nltk/translate/bleu_score.py): corpus BLEU 0.5920…, while the
    // mean of the two sentence BLEUs is 0.6223… (both without smoothing).
    private static readonly string[] Hyp1 = T("It is a guide to action which ensures that the military always obeys the commands of the party");
    private static readonly string[] Ref1A = T("It is a guide to action that ensures that the military will forever heed Party commands");
    private static readonly string[] Ref1B = T("It is the guiding principle which guarantees the military forces always being under the command of the Party");
    private static readonly string[] Ref1C = T("It is the practical guide for the army always to heed the directions of the party");
    private static readonly string[] Hyp2 = T("he read the book because he was interested in world history");
    private static readonly string[] Ref2A = T("he was interested in world history because he read the book");

    [Fact]
    public void NltkExample_CorpusBleuIsNotTheMeanOfSentenceBleus()
    {
        BleuScore corpus = Bleu.Corpus([Hyp1, Hyp2], [new[] { Ref1A, Ref1B, Ref1C }, new[] { Ref2A }], BleuSmoothing.None);
        Assert.InRange(corpus.Score / 100, 0.5920, 0.5921);
        double s1 = Bleu.Sentence(Hyp1, [Ref1A, Ref1B, Ref1C], BleuSmoothing.None, effectiveOrder: false).Score / 100;
        double s2 = Bleu.Sentence(Hyp2, [Ref2A], BleuSmoothing.None, effectiveOrder: false).Score / 100;
        Assert.InRange((s1 + s2) / 2, 0.6223, 0.6224);
    }

    // hyp "a a a b", refs "a b c d" and "a a x y":
    //   1-grams: a ×3 clipped to max(1, 2) = 2, b ×1 → m1 = 3 of t1 = 4
    //   2-grams: "a a" ×2 clipped to 1, "a b" ×1 → m2 = 2 of t2 = 3
    //   3-grams "a a a", "a a b" and the 4-gram "a a a b" occur in no reference → m3 = 0 of 2, m4 = 0 of 1
    //   c = 4, both references have length 4 → r = 4, BP = 1
    [Theory]
    [InlineData(BleuSmoothing.Exp, 75.0, 200.0 / 3, 25.0, 25.0)]            // p3 = 1/(2·2), p4 = 1/(4·1)
    [InlineData(BleuSmoothing.Floor, 75.0, 200.0 / 3, 5.0, 10.0)]           // p3 = 0.1/2, p4 = 0.1/1
    [InlineData(BleuSmoothing.AddK, 75.0, 75.0, 100.0 / 3, 50.0)]           // (2+1)/(3+1), (0+1)/(2+1), (0+1)/(1+1); p1 unchanged
    [InlineData(BleuSmoothing.None, 75.0, 200.0 / 3, 0.0, 0.0)]
    public void ClippingAndZeroCounts_UnderEachSmoothing(BleuSmoothing smoothing, double p1, double p2, double p3, double p4)
    {
        BleuScore s = Bleu.Corpus([T("a a a b")], [new[] { T("a b c d"), T("a a x y") }], smoothing);
        Assert.Equal([p1, p2, p3, p4], s.Precisions.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
        double expected = p3 == 0 ? 0 : Math.Pow(p1 * p2 * p3 * p4, 0.25);
        Assert.Equal(expected, s.Score, 1e-9);
        Assert.Equal((1.0, 4L, 4L), (s.BrevityPenalty, s.HypothesisLength, s.ReferenceLength));
    }

    [Fact]
    public void TokenHoldingASpace_IsRefused_ItsKeyWouldMatchAnotherNGram()
    {
        // ("a b", "c") and ("a", "b c") would both be keyed "a b c".
        var e = Assert.Throws<ArgumentException>(() => new BleuStatistics(2).Add(["a b", "c"], [new[] { "a", "b c" }]));
        Assert.Contains("token 0 ('a b') holds a space", e.Message);
        Assert.Equal(2, BleuStatistics.NGrams(["a b", "c"], 1).Count);   // unigrams are keyed by the token alone
    }

    [Fact]
    public void NullTokensAndBadParameters_AreRefused()
    {
        Assert.Contains("token 0 is null", Assert.Throws<ArgumentNullException>(() => Bleu.Corpus([new string[] { null! }], [[["a"]]])).Message);
        Assert.Contains("token 1 is null", Assert.Throws<ArgumentNullException>(() => new BleuStatistics(1).Add(["a"], [new[] { "a", null! }])).Message);
        foreach (double bad in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Corpus([T("a b")], [[T("a c")]], BleuSmoothing.Floor, smoothValue: bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Signature(1, BleuSmoothing.AddK, bad));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Signature(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Signature(0));
        Assert.Contains("nrefs:var", Bleu.Signature(null));
    }

    [Fact]
    public void ClosestReferenceLength_TieGoesToTheShorter()
    {
        // c = 5; references of length 3 and 7 are both 2 away → r = 3 (the longer would give BP = e^(1 − 7/5)).
        BleuScore s = Bleu.Corpus([T("a b c d e")], [new[] { T("a b c f g h i"), T("a b c") }]);
        Assert.Equal((5L, 3L, 1.0), (s.HypothesisLength, s.ReferenceLength, s.BrevityPenalty));
        Assert.Equal(5.0 / 3, s.Ratio, 1e-12);
        Assert.Equal(3, BleuStatistics.ClosestReferenceLength(5, [T("a b c d e f g"), T("a b c")]));
        Assert.Equal(6, BleuStatistics.ClosestReferenceLength(5, [T("a b c d e f"), T("a b c")]));
    }

    [Fact]
    public void ShortHypothesis_BrevityPenalty_AndEffectiveOrder()
    {
        // c = 2, r = 4: BP = exp(1 − 4/2) = e^−1. p1 = p2 = 100 %; there are no 3-grams, so sacreBLEU stops there:
        // without effective order p3 = p4 = 0 and BLEU = 0; with it BLEU = BP · (100·100)^(1/2).
        string[] hyp = T("a b");
        string[][] refs = [T("a b c d")];
        BleuScore plain = Bleu.Sentence(hyp, refs, effectiveOrder: false), effective = Bleu.Sentence(hyp, refs);
        Assert.Equal(Math.Exp(-1), plain.BrevityPenalty, 1e-12);
        Assert.Equal(0.0, plain.Score);
        Assert.Equal(100 * Math.Exp(-1), effective.Score, 1e-9);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exp)]
    [InlineData(BleuSmoothing.Floor)]
    [InlineData(BleuSmoothing.AddK)]
    public void NoMatchAtAll_IsZeroWhateverTheSmoothing(BleuSmoothing smoothing)
    {
        BleuScore s = Bleu.Corpus([T("x y z w")], [new[] { T("a b c d") }], smoothing);
        Assert.Equal(0.0, s.Score);
        Assert.All(s.Precisions, p => Assert.Equal(0.0, p));
    }

    [Fact]
    public void CorpusSumsStatisticsBeforeDividing()
    {
        // Sentence 1: "a b" vs "a b" (m1 2/2, m2 1/1); sentence 2: "c d e f" vs "c x e y" (m1 2/4, m2 0/3).
        BleuScore s = Bleu.Corpus([T("a b"), T("c d e f")], [new[] { T("a b") }, new[] { T("c x e y") }], BleuSmoothing.None, maxOrder: 2);
        Assert.Equal([400.0 / 6, 25.0], s.Precisions.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(Math.Sqrt(400.0 / 6 * 25.0), s.Score, 1e-9);
    }

    [Fact]
    public void Format_IsSacreBleusLine_AndSignature()
    {
        var s = new BleuScore(35.1234, [65.43, 41.0, 28.28, 20.1], 0.96617, 0.96688, 14890, 15401);
        Assert.Equal("BLEU = 35.12 65.4/41.0/28.3/20.1 (BP = 0.966 ratio = 0.967 hyp_len = 14890 ref_len = 15401)", s.ToString());
        Assert.Equal("nrefs:var|case:lc|eff:no|tok:d2l-fra-eng+whitespace|smooth:exp|version:seqlearn-1", Bleu.Signature(null));
        Assert.Equal("nrefs:1|case:lc|eff:no|tok:d2l-fra-eng+whitespace|smooth:floor[0.10]|version:seqlearn-1", Bleu.Signature(1, BleuSmoothing.Floor));
        Assert.Contains("|smooth:add-k[1.00]|", Bleu.Signature(2, BleuSmoothing.AddK));
    }

    [Fact]
    public void PerturbedFraEngPairs_MatchNltk()
    {
        // 300 pairs drawn with SeededRng(7), each French side edited once (delete a token, swap two neighbours, or
        // replace a token by "xyz"), scored against all French sentences of its English source. The number is
        // /usr/bin/python3 scripts/translation_reference.py's last line: BLEU from NLTK's modified_precision,
        // closest_ref_length and brevity_penalty with sacreBLEU's n-gram totals (NLTK's corpus_bleu itself counts at
        // least one n-gram per order for a hypothesis shorter than n and gives 46.449139 here).
        IReadOnlyList<TranslationPair> pairs = FraEng30k.Pairs;
        var references = TranslationExample.Group(pairs).ToDictionary(e => e.Source, e => e.References, StringComparer.Ordinal);
        var rng = new SeqLearn.Tensors.SeededRng(7);
        var hyps = new List<string>();
        var refs = new List<IReadOnlyList<string>>();
        for (int i = 0; i < 300; i++)
        {
            TranslationPair p = pairs[rng.NextInt(pairs.Count)];
            List<string> t = [.. T(p.Target)];
            int kind = rng.NextInt(3);
            if (kind == 0 && t.Count > 1) t.RemoveAt(rng.NextInt(t.Count));
            else if (kind == 1 && t.Count > 1) { int k = rng.NextInt(t.Count - 1); (t[k], t[k + 1]) = (t[k + 1], t[k]); }
            else if (kind == 2) t[rng.NextInt(t.Count)] = "xyz";
            hyps.Add(string.Join(' ', t));
            refs.Add(references[p.Source]);
        }
        Assert.Equal(48.287573, Bleu.CorpusOfText(hyps, refs).Score, 1e-5);
    }

    [Fact]
    public void MaxOrder_OutsideOneToTheSupportedMaximum_IsRefusedBeforeAllocating()
    {
        foreach (int n in new[] { 0, -1, BleuStatistics.MaxSupportedOrder + 1, int.MaxValue })
        {
            Assert.Equal("maxOrder", Assert.Throws<ArgumentOutOfRangeException>(() => new BleuStatistics(n)).ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Corpus([T("a b")], [new[] { T("a b") }], maxOrder: n));
        }
        // The largest order is scored: no 1000-gram in a two-word sentence, so only smoothing keeps BLEU above zero.
        Assert.Equal(BleuStatistics.MaxSupportedOrder, new BleuStatistics(BleuStatistics.MaxSupportedOrder).MaxOrder);
        Assert.Equal(0, Bleu.Corpus([T("a b")], [new[] { T("a b") }], BleuSmoothing.None, maxOrder: BleuStatistics.MaxSupportedOrder).Score);
    }

    [Fact]
    public void Smoothing_UndefinedValue_IsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Corpus([T("a b")], [new[] { T("a b") }], (BleuSmoothing)9));
        Assert.Equal("smoothing", e.ParamName);
        Assert.StartsWith("Bleu: 9 is not a BleuSmoothing", e.Message);
    }
}
