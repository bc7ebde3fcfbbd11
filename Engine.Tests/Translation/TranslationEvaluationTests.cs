using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>What <see cref="TranslationEvaluation.Evaluate"/> accepts from a translator.</summary>
public class TranslationEvaluationTests
{
    private static readonly TranslationExample[] Examples =
        [new("i am cold .", ["j'ai froid ."], 1), new("you are here .", ["tu es ici ."], 2), new("go .", ["va !"], 3)];

    // Echoes each source, dropping or adding translations as told.
    private sealed class Echo(int extra, bool nullSecond = false) : IBatchTranslator
    {
        public string Description => "echo";

        public string Translate(string source) => source;

        public IReadOnlyList<string> TranslateAll(IReadOnlyList<string> sources) =>
            [.. sources.Take(sources.Count + Math.Min(0, extra)).Select((s, i) => nullSecond && i == 1 ? null! : s), .. Enumerable.Repeat("x", Math.Max(0, extra))];
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(1, 4)]
    public void BatchTranslator_OtherCountThanSources_IsRefusedNamingIt(int extra, int returned)
    {
        var e = Assert.Throws<InvalidOperationException>(() => TranslationEvaluation.Evaluate(new Echo(extra), Examples));
        Assert.Equal($"TranslationEvaluation: Echo (echo).TranslateAll returned {returned} translations for 3 sources.", e.Message);
    }

    [Fact]
    public void BatchTranslator_NullTranslation_IsRefusedNamingTheSource()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TranslationEvaluation.Evaluate(new Echo(0, nullSecond: true), Examples));
        Assert.Equal("TranslationEvaluation: Echo (echo) returned null for source 1 ('you are here .').", e.Message);
        Assert.Equal(3, TranslationEvaluation.Evaluate(new Echo(0), Examples).Hypotheses.Count);
    }
}
