using SeqLearn.NGrams;

namespace SeqLearn.Tests.NGrams;

/// <summary>
/// The ten-word corpus of docs/ngram.md, bigram models. Expected values are worked out by hand in that page
/// (fractions of the counts), not produced by the code.
/// </summary>
public class WorkedExampleTests
{
    private static readonly string[] Corpus = ["the cat sat", "the cat ran", "a dog sat down"];

    [Theory]
    [InlineData("mle", 1.0 / 2, 0.0)]
    [InlineData("addk", 2.0 / 11, 14.0 / 187)]
    [InlineData("wb", 0.318783, 0.0449735)]
    [InlineData("abs", 0.257988, 0.050887)]
    [InlineData("kn", 0.274476, 0.057692)]
    [InlineData("mkn", 0.25 + 0.5 * (1.0 / 11 + 0.5 / 9), 0.5 * (0.5 / 11 + 0.5 / 9))]
    [InlineData("stupid", 0.5, 0.4 / 13)]
    public void Bigram_CatSatAndCatDog_MatchHandComputation(string name, double pSatGivenCat, double pDogGivenCat)
    {
        INGramEstimator estimator = name switch
        {
            "mle" => new MaximumLikelihood(),
            "addk" => new AddK(1),
            "wb" => new WittenBell(),
            "abs" => new AbsoluteDiscounting(),
            "kn" => new KneserNey(),
            "mkn" => new ModifiedKneserNey(MknDiscounts.KenLmFallback),
            _ => new StupidBackoff(0.4),
        };
        var counts = NGramCounts.Count(Corpus, 2);
        BackoffModel model = estimator.Estimate(counts);
        int cat = counts.Vocabulary.IdOrUnk("cat"), sat = counts.Vocabulary.IdOrUnk("sat"), dog = counts.Vocabulary.IdOrUnk("dog");
        Assert.Equal(pSatGivenCat, Math.Pow(10, model.LogProb10([cat], sat)), 5);
        Assert.Equal(pDogGivenCat, Math.Pow(10, model.LogProb10([cat], dog)), 5);
    }
}
