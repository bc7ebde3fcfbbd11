using SeqLearn.NGrams;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.NGrams;

public class ArpaTests
{
    private static BackoffModel Trained(int order) =>
        new ModifiedKneserNey(MknDiscounts.KenLmFallback).Estimate(NGramCounts.Count(NGramTestCorpus.Random(21, 80, 15, 9), order));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void WriteThenRead_IsLossless(int order)
    {
        BackoffModel model = Trained(order);
        string path = Path.Combine(Path.GetTempPath(), $"seqlearn-{Guid.NewGuid():N}.arpa");
        try
        {
            ArpaWriter.Write(model, path);
            BackoffModel back = ArpaReader.Read(path);
            Assert.Equal(model.Vocabulary.Tokens, back.Vocabulary.Tokens);
            for (int k = 1; k <= order; k++)
            {
                Assert.Equal(model.Table(k).Count, back.Table(k).Count);
                for (int e = 0; e < model.Table(k).Count; e++)
                {
                    int b = back.Table(k).Find(model.Table(k).Key(e));
                    Assert.Equal(model.LogProbs(k)[e], back.LogProbs(k)[b]);
                    if (k < order) Assert.Equal(model.LogBackoffs(k)[e], back.LogBackoffs(k)[b]);
                }
            }
            string[] test = NGramTestCorpus.Random(22, 20, 18, 9);
            Assert.Equal(model.Evaluate(test), back.Evaluate(test));
        }
        finally { File.Delete(path); }
    }

    private const string Good = "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t0\n-0.3\ta\t-0.2\n\n\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n\\end\\\n";

    private static ArpaFormatException Bad(string text) =>
        Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "bad.arpa"));

    [Fact]
    public void Read_HandWrittenFile_ScoresByBackoffRules()
    {
        BackoffModel m = ArpaReader.Read(new StringReader(Good), "good.arpa");
        // <s> a </s>: p(a|<s>) stored = -0.1; p(</s>|a) stored = -0.2.
        Assert.Equal(-0.3, m.SentenceLog10Prob("a"), 5);
        // <s> a a </s>: -0.1 + (bo(a) + p(a)) + -0.2 = -0.1 - 0.5 - 0.2.
        Assert.Equal(-0.8, m.SentenceLog10Prob("a a"), 5);
        // <s> x </s>: OOV → bo(<s>) + p(<unk>), then p(</s>) with context <unk> (bo 0).
        Assert.Equal(-0.5 - 1.0 - 0.5, m.SentenceLog10Prob("x"), 5);
    }

    [Fact]
    public void Read_WrongCount_NamesLineAndExpectation()
    {
        var e = Bad(Good.Replace("ngram 2=2", "ngram 2=3"));
        Assert.Contains("bad.arpa:", e.Message);
        Assert.Contains("declares 3 2-grams but the section has 2", e.Message);
        var more = Bad(Good.Replace("ngram 2=2", "ngram 2=1"));
        Assert.Contains("more 2-grams than the header declares", more.Message);
        var moreInAMiddleOrder = Bad(Good.Replace("ngram 1=4", "ngram 1=3"));   // an order with a section after it
        Assert.Contains("bad.arpa:9:", moreInAMiddleOrder.Message);                 // the fourth 1-gram
        Assert.Contains("more 1-grams than the header declares (3)", moreInAMiddleOrder.Message);
    }

    [Fact]
    public void Read_MissingSection_Fails()
    {
        var e = Bad(Good.Replace("\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n", ""));
        Assert.Contains("expected section '\\2-grams:'", e.Message);
        Assert.Contains("\\data\\", Bad("hello\n").Message);
        Assert.Contains("\\end\\", Bad(Good.Replace("\\end\\\n", "")).Message);
    }

    [Fact]
    public void Read_MalformedNumber_NamesLine()
    {
        var e = Bad(Good.Replace("-0.3\ta", "-0.x3\ta"));
        Assert.Equal(9, e.Line);
        Assert.Contains("expected a number", e.Message);
        Assert.Contains("'-0.x3'", e.Message);
    }

    [Fact]
    public void Read_NGramOfWrongOrder_Fails()
    {
        var e = Bad(Good.Replace("-0.1\t<s> a\n", "-0.1\t<s> a a\n"));
        Assert.Contains("2-gram line", e.Message);
        Assert.Equal(12, e.Line);
        Assert.Contains("not in the unigram section", Bad(Good.Replace("a </s>", "b </s>")).Message);
        Assert.Contains("duplicate", Bad(Good.Replace("a </s>", "<s> a")).Message);
    }

    [Fact]
    public void Read_PositiveLogProbability_FailsNamingTheLine_ButPositiveBackoffIsAccepted()
    {
        var e = Bad(Good.Replace("-0.3\ta\t-0.2", "0.7\ta\t-0.2"));
        Assert.Contains("log10 probability 0.7 is positive", e.Message);
        Assert.Equal(9, e.Line);
        Assert.Contains("is positive", Bad(Good.Replace("-0.1\t<s> a", "2.5\t<s> a")).Message);
        Assert.Equal(4, ArpaReader.Read(new StringReader(Good.Replace("-0.3\ta\t-0.2", "-0.3\ta\t0.4")), "ok.arpa").Vocabulary.Count);
    }

    [Fact]
    public void Evaluate_ATokenScoredAboveOneByAPositiveBackoff_IsAnErrorNamingLineAndToken_NotAPerplexityBelowOne()
    {
        // bo(a) = 10^38: p(a | a) = bo(a) · p(a) = 10^37.7. KenLM's semantics give it; a perplexity from it would be ~0.
        BackoffModel m = ArpaReader.Read(new StringReader(Good.Replace("-0.3\ta\t-0.2", "-0.3\ta\t38")), "huge-backoff.arpa");
        Assert.Equal(-0.1 + 37.7 - 0.2, m.SentenceLog10Prob("a a"), 4);        // per-sentence scores stay KenLM's
        var e = Assert.Throws<InvalidDataException>(() => m.Evaluate(["a", "", "x a a"]));
        Assert.Equal("line 3: the model gives 'a' (token 3) log10 p = 37.7, a probability above 1: its back-off weights are not normalised, so no perplexity is computed.", e.Message);
        // p(</s> | <unk>) = bo(<unk>) + p(</s>) = 0.9 − 0.5 after the OOV "x".
        var eos = Assert.Throws<InvalidDataException>(() => ArpaReader.Read(new StringReader(Good.Replace("-1.0\t<unk>\t0", "-1.0\t<unk>\t0.9")), "eos.arpa").Evaluate(["x"]));
        Assert.StartsWith("line 1: the model gives '</s>' (token 2) log10 p = 0.4", eos.Message);
    }

    [Fact]
    public void Read_EmptyFile_SaysSoAtLineOne()
    {
        var e = Bad("");
        Assert.Equal(1, e.Line);
        Assert.StartsWith("bad.arpa:1: the file is empty; expected the '\\data\\' header.", e.Message);
        Assert.Contains("bad.arpa:1: expected the '\\data\\' header, reached the end of the file.", Bad("preamble\n").Message);
    }

    [Fact]
    public void Write_IsAtomic_NoTemporaryLeft()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"seqlearn-arpa-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "m.arpa");
        ArpaWriter.Write(Trained(2), path);
        ArpaWriter.Write(Trained(3), path);
        Assert.Equal(["m.arpa"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.Equal(3, ArpaReader.Read(path).Order);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Sampler_SameSeed_SameText_WordsFromVocabulary()
    {
        BackoffModel model = Trained(3);
        var sampler = new NGramSampler(model);
        string a = sampler.Sample(new SeededRng(9), "w1", 30);
        string b = sampler.Sample(new SeededRng(9), "w1", 30);
        Assert.Equal(a, b);
        Assert.StartsWith("w1", a);
        var texts = Enumerable.Range(0, 10).Select(i => sampler.Sample(new SeededRng((ulong)i), "", 30)).ToArray();
        Assert.True(texts.Distinct().Count() > 3);
        foreach (string w in texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            Assert.True(model.Vocabulary.TryGetId(w, out int id) && id != model.Vocabulary.UnkId, w);
        }
        Assert.True(sampler.Sample(new SeededRng(1), "", 3).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 3);
        foreach (string marker in new[] { "<s>", "</s>" })
            Assert.StartsWith($"NGramSampler: the prompt contains '{marker}', which is reserved for sentence boundaries.",
                Assert.Throws<ArgumentException>(() => sampler.Sample(new SeededRng(1), $"w1 {marker} w1", 5)).Message);
    }

    [Fact]
    public void Sampler_NeverDrawsAWordTheModelScoresAsImpossible_EndsTheSentenceWhenNoAllowedWordIsPossible()
    {
        // After "a" the only continuation is <unk>; with <unk> excluded, every other word has log10 p ≤ −99 (probability 0).
        BackoffModel model = new MaximumLikelihood().Estimate(NGramCounts.Count(["a <unk>", "b c"], 2));
        var sampler = new NGramSampler(model);
        for (ulong seed = 0; seed < 20; seed++)
        {
            Assert.Equal("a", sampler.Sample(new SeededRng(seed), "a", 3));
            string text = sampler.Sample(new SeededRng(seed), "", 3);
            // Every drawn word is possible; only the forced end after "a" (whose only continuation is <unk>) may score −∞.
            foreach (BackoffModel.TokenScore token in model.ScoreSentence(text)[..^1])
                Assert.True(float.IsFinite(token.Log10Prob), $"seed {seed}: '{text}' draws '{token.Token}' at log10 p {token.Log10Prob}");
        }
    }

    // Found by the fuzzer: the decoder works a buffer ahead, so a bad byte anywhere in the first 64 KB was reported at line 1.
    [Fact]
    public void Read_InvalidUtf8_NamesTheLineAndByteItIsOn()
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(Good.Replace("-0.3\ta\t-0.2", "-0.3\taX\t-0.2"));
        int at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xFF;
        string path = Path.Combine(Path.GetTempPath(), $"seqlearn-{Guid.NewGuid():N}.arpa");
        try
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(path));
            Assert.Equal($"{path}:9: invalid UTF-8 at byte 7 of the line (byte offset {at}, 0xFF).", e.Message);
            Assert.Equal(9, e.Line);
        }
        finally { File.Delete(path); }
    }
}

public class ArpaMissingContextTests
{
    [Fact]
    public void Read_TrigramWithoutItsContext_AddsBlankContextAndUsesTheTrigram()
    {
        // The trigram "a b </s>" is stored but its context, the bigram "a b", is not (as in a pruned SRILM model).
        const string arpa = "\\data\\\nngram 1=5\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t-0.1\n-0.3\ta\t-0.2\n-0.4\tb\t-0.25\n\n"
            + "\\2-grams:\n-0.1\t<s> a\t-0.05\n-0.2\tb </s>\t0\n\n\\3-grams:\n-0.01\ta b </s>\n\n\\end\\\n";
        BackoffModel m = ArpaReader.Read(new StringReader(arpa), "pruned.arpa");
        int a = m.Vocabulary.IdOrUnk("a"), b = m.Vocabulary.IdOrUnk("b");
        int blank = m.Table(2).Find([a, b]);
        Assert.True(blank >= 0);
        Assert.Equal(0f, m.LogBackoffs(2)[blank]);
        // Blank probability: p(b | a) by backing off = bo(a) + p(b) = -0.2 - 0.4.
        Assert.Equal(-0.6f, m.LogProbs(2)[blank], 5);
        // <s> a b </s>: p(a|<s>) = -0.1, p(b|<s> a) = bo(<s> a) + p(b|a) = -0.05 - 0.6, p(</s>|a b) = -0.01 (the trigram).
        Assert.Equal(-0.1 - 0.65 - 0.01, m.SentenceLog10Prob("a b"), 5);
    }

    [Fact]
    public void Read_BlankLiftedAboveOneByAPositiveBackoff_FailsAtTheBackoffsLine()
    {
        // "a b </s>" needs the left-out context "a b", whose probability by backing off is bo(a) + p(b) = 90.2 − 0.4:
        // stored, it would be written as a positive log10 probability that no reader accepts.
        const string arpa = "\\data\\\nngram 1=5\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t-0.1\n-0.3\ta\t90.2\n-0.4\tb\t-0.25\n\n"
            + "\\2-grams:\n-0.1\t<s> a\t-0.05\n-0.2\tb </s>\t0\n\n\\3-grams:\n-0.01\ta b </s>\n\n\\end\\\n";
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(arpa), "lifted.arpa"));
        Assert.Equal(10, e.Line);
        Assert.StartsWith("lifted.arpa:10: the log10 back-off 90.2 of 'a' gives the 2-gram 'a b'", e.Message);
        Assert.Contains("log10 p = 89.8 (a probability above 1)", e.Message);
        // A positive back-off that keeps the blank at most 1 is accepted: bo(a) + p(b) = 0.3 − 0.4.
        BackoffModel m = ArpaReader.Read(new StringReader(arpa.Replace("a\t90.2", "a\t0.3")), "kept.arpa");
        int blank = m.Table(2).Find([m.Vocabulary.IdOrUnk("a"), m.Vocabulary.IdOrUnk("b")]);
        Assert.Equal(-0.1f, m.LogProbs(2)[blank], 5);
    }

    [Fact]
    public void Read_TrigramWithoutItsSuffix_AddsBlankSuffixAndUsesTheTrigram()
    {
        // The trigram "a b c" and its context "a b" are stored, its suffix "b c" is not (SRILM pruning removes suffixes).
        const string arpa = """
            \data\
            ngram 1=6
            ngram 2=2
            ngram 3=1

            \1-grams:
            -1.0	<unk>	0
            0	<s>	-0.2
            -0.7	</s>	0
            -0.6	a	-0.3
            -0.6	b	-0.4
            -0.8	c	-0.5

            \2-grams:
            -0.3	<s> a	-0.05
            -0.2	a b	-0.25

            \3-grams:
            -0.1	a b c

            \end\

            """;
        BackoffModel m = ArpaReader.Read(new StringReader(arpa), "suffix.arpa");
        int a = m.Vocabulary.IdOrUnk("a"), b = m.Vocabulary.IdOrUnk("b"), c = m.Vocabulary.IdOrUnk("c");
        Assert.Equal(-0.1f, m.LogProb10([a, b], c), 6);                 // the stored trigram, not bo(a b) + bo(b) + p(c)
        int blank = m.Table(2).Find([b, c]);
        Assert.True(blank >= 0);
        Assert.Equal(0f, m.LogBackoffs(2)[blank]);
        Assert.Equal(-0.4f - 0.8f, m.LogProbs(2)[blank], 6);            // p(c | b) by backing off: bo(b) + p(c)
        Assert.Equal(-0.4f - 0.8f, m.LogProb10([b], c), 6);             // the blank changes no probability
        // <s> a b c </s>: p(a|<s>) = -0.3, p(b|<s> a) = bo(<s> a) + p(b|a) = -0.05 - 0.2, p(c|a b) = -0.1,
        // p(</s>|b c) = bo(b c) + p(</s>|c) = 0 + bo(c) + p(</s>) = -0.5 - 0.7.
        Assert.Equal(-0.3 - 0.25 - 0.1 - 1.2, m.SentenceLog10Prob("a b c"), 5);
    }
}
