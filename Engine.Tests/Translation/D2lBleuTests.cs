using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class D2lBleuTests
{
    [Theory]
    [InlineData("il est riche .", "il est calme .", 0.658)]          // (3/4)^(1/2) · (1/3)^(1/4)
    [InlineData("je suis en retard ?", "je suis chez moi .", 0.447)] // (2/5)^(1/2) · (1/4)^(1/4)
    public void BookExamples_K2(string prediction, string label, double expected)
    {
        Assert.Equal(expected, D2lBleu.Score(prediction, label, 2), 5e-4);
    }

    [Fact]
    public void Formula_ShortPrediction_PenaltyAndOrdersCappedAtItsLength()
    {
        // pred "a b" (2), label "a b c" (3): exp(1 − 3/2) · 1^(1/2) · 1^(1/4); k = 4 is capped at len_pred = 2.
        Assert.Equal(Math.Exp(-0.5), D2lBleu.Score("a b", "a b c", 4), 1e-12);
        // each label n-gram is used once: pred "a a" vs label "a b" → p1 = 1/2, p2 = 0.
        Assert.Equal(Math.Sqrt(0.5), D2lBleu.Score("a a", "a b", 1), 1e-12);
        Assert.Equal(0.0, D2lBleu.Score("a a", "a b", 2));
        Assert.Throws<ArgumentException>(() => D2lBleu.Score("", "a", 2));
    }
}
