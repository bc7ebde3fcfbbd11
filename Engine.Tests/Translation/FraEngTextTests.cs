using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class FraEngTextTests
{
    [Theory]
    [InlineData("Go.", "go .")]
    [InlineData("Cours\u202f!", "cours !")]                 // narrow no-break space before '!' is the space
    [InlineData("Au feu\u00a0!", "au feu !")]
    [InlineData("Wait...", "wait . . .")]                  // each '.' follows a non-space
    [InlineData("Hello,world", "hello ,world")]             // only a space before the mark is inserted
    [InlineData("I\u2019m OK.", "i'm ok .")]
    [InlineData("\u2018Ah\u2019\u2009?", "'ah' ?")]
    [InlineData(".Start", ".start")]                        // nothing is inserted at position 0
    [InlineData("ÇA VA ?", "ça va ?")]
    public void Normalize_D2lRules(string raw, string expected) => Assert.Equal(expected, FraEngText.Normalize(raw));

    [Fact]
    public void Preprocess_KeepsWhitespaceRuns_TokenizeSplitsThem()
    {
        Assert.Equal("a  b ,", FraEngText.Preprocess("A  b,"));
        Assert.Equal(["a", "b", ","], FraEngText.Tokenize("a  b ,"));
    }
}
