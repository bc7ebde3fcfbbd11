using SeqLearn.Training;

namespace SeqLearn.Tests.Training.Metrics;

public class LanguageModelMetricsTests
{
    [Fact]
    public void Perplexity_OfUniformModel_IsTheVocabularySize()
    {
        // A model that gives every one of 65 characters p = 1/65 has ℓ = ln 65 nats: perplexity 65, log2 65 = 6.0224 bits.
        double loss = Math.Log(65);
        Assert.Equal(65, LanguageModelMetrics.Perplexity(loss), 10);
        Assert.Equal(6.022367813028454, LanguageModelMetrics.BitsPerToken(loss), 12);
    }

    [Fact]
    public void BitsPerCharacter_SpreadsTheTotalCodeLengthOverTheCharacters()
    {
        // 1,000 words at 4.6 nats each = 4,600 nats = 6,636.40 bits over 5,600 characters → 1.185071 bits per character.
        Assert.Equal(4600 / Math.Log(2) / 5600, LanguageModelMetrics.BitsPerCharacter(4.6, 1000, 5600), 12);
        Assert.Equal(1.185071, LanguageModelMetrics.BitsPerCharacter(4.6, 1000, 5600), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => LanguageModelMetrics.BitsPerCharacter(1, 0, 10));
    }
}
