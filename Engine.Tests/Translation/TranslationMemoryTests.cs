using System.Diagnostics;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class TranslationMemoryTests
{
    private static TranslationExample E(string source, params string[] targets) => new(source, targets, 1);

    [Fact]
    public void Nearest_HighestUniBigramF1_ThenFirstOnTies()
    {
        TranslationExample[] train =
        [
            E("you are cold .", "tu as froid ."),
            E("i am cold .", "j'ai froid .", "je suis froid .", "j'ai froid ."),
            E("i am here .", "je suis ici ."),
        ];
        var memory = new TranslationMemory(train);
        // "i am hot ." vs "i am cold ." and "i am here .": both share i, am, ., "i am" → F1 = 2·4/(7+7); the first wins.
        Assert.Equal(4.0 / 7, TranslationMemory.Similarity("i am hot .", "i am cold ."), 1e-12);
        Assert.Equal(1, memory.Nearest("i am hot ."));
        Assert.Equal("j'ai froid .", memory.Translate("i am hot ."));
        Assert.Equal(0, memory.Nearest("zzz"));                          // no shared n-gram → the first example
        Assert.Equal(2, memory.Nearest("am here"));                      // "am here" bigram decides
    }

    [Fact]
    public void Nearest_AgreesWithBruteForceF1_OnFraEngTestSentences()
    {
        TranslationSplit split = FraEng30k.DefaultSplit;
        var memory = new TranslationMemory(split.Train);
        foreach (TranslationExample q in split.Test.Take(25))
        {
            double[] f1 = split.Train.Select(t => TranslationMemory.Similarity(q.Source, t.Source)).ToArray();
            int expected = Array.IndexOf(f1, f1.Max());   // first argmax
            Assert.Equal(expected, memory.Nearest(q.Source));
        }
    }

    [Fact]
    public void GramKeys_HashToDistinctCodes_WhereLongGetHashCodeCollides()
    {
        // All bigram keys (id1 + 1, id2) over 512 token ids: long.GetHashCode (the XOR of the two words) gives them at most
        // 1,024 codes, so an index of 262,144 bigrams would search chains of hundreds; the memory's comparer keeps them apart.
        long[] keys = [.. from a in Enumerable.Range(0, 512) from b in Enumerable.Range(0, 512) select ((long)(a + 1) << 32) | (uint)b];
        Assert.InRange(keys.Select(k => k.GetHashCode()).Distinct().Count(), 1, 1024);
        Assert.Equal(keys.Length, keys.Select(TranslationMemory.GramKeyComparer.Instance.GetHashCode).Distinct().Count());
    }

    [Fact]
    public void FraEng30k_ValidAndTestBleu_MatchTheIndependentScript()
    {
        // Reference: /usr/bin/python3 scripts/translation_reference.py (its own split and search; BLEU from NLTK's
        // clipped counts with sacreBLEU's totals; see BleuTests.PerturbedFraEngPairs_MatchNltk).
        TranslationSplit split = FraEng30k.DefaultSplit;
        var clock = Stopwatch.StartNew();
        var memory = new TranslationMemory(split.Train);
        TranslationReport valid = TranslationEvaluation.Evaluate(memory, split.Valid);
        TranslationReport test = TranslationEvaluation.Evaluate(memory, split.Test);
        Assert.Equal(20.894486, valid.Bleu.Score, 1e-5);
        Assert.Equal(21.377998, test.Bleu.Score, 1e-5);
        Assert.StartsWith("nrefs:var|", test.Signature);
        Assert.True(clock.Elapsed.TotalSeconds < 30, $"index and both splits took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Translate_NullSource_IsAnArgumentNullException() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => new TranslationMemory([E("a .", "b .")]).Translate(null!)).ParamName);

    [Fact]
    public void TranslationExample_WithoutReferences_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new TranslationExample("a .", [], 1));
        Assert.Equal("References", e.ParamName);
        Assert.Contains("at least one reference", e.Message);
        Assert.Equal("References", Assert.Throws<ArgumentException>(() => new TranslationExample("a .", ["b .", null!], 1)).ParamName);
        Assert.Equal("Source", Assert.Throws<ArgumentNullException>(() => new TranslationExample(null!, ["b ."], 1)).ParamName);
    }
}
