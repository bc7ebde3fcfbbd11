using System.Security.Cryptography;
using System.Text;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class TranslationSplitTests
{
    [Fact]
    public void FraEng30k_DefaultSeed_IsPinned()
    {
        TranslationSplit split = TranslationSplit.Create(FraEng30k.Pairs, TranslationSplit.DefaultSeed);
        Assert.Equal(1UL, split.Seed);
        Assert.Equal((14_895, 1_861, 1_863), (split.Train.Count, split.Valid.Count, split.Test.Count));
        // SHA-256 of the test sources in split order joined by '\n' (UTF-8). Recompute independently with
        // /usr/bin/python3 scripts/translation_reference.py ../shared/data/translation/fra-eng-30k.txt (second line).
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', split.Test.Select(e => e.Source)))));
        Assert.Equal("593d5e41dc3696f6159e1ed39e2e8eeda6837ad2c476e769216587986d608c6e", hash);
        Assert.Equal(split.Train.Sum(e => e.References.Count), split.TrainPairs.Count);
    }

    [Fact]
    public void Parts_AreDisjoint_AndEveryTargetOfASourceIsAReference()
    {
        IReadOnlyList<TranslationPair> pairs = FraEng30k.Pairs;
        TranslationSplit split = TranslationSplit.Create(pairs, seed: 5);
        var part = new Dictionary<string, TranslationExample>(StringComparer.Ordinal);
        foreach (TranslationExample e in split.Train.Concat(split.Valid).Concat(split.Test)) part.Add(e.Source, e);   // Add throws on a repeat
        Assert.Equal(18_619, part.Count);
        foreach (TranslationPair p in pairs) Assert.Contains(p.Target, part[p.Source].References);
        Assert.Equal(pairs.Count, part.Values.Sum(e => e.References.Count));
        Assert.NotEqual(split.Test.Select(e => e.Source), TranslationSplit.Create(pairs, seed: 6).Test.Select(e => e.Source));
    }

    [Fact]
    public void SmallCorpus_SameSeedSameSplit_AndRoundingAsDocumented()
    {
        TranslationPair[] pairs = Enumerable.Range(0, 25).Select(i => new TranslationPair($"s{i % 19}", $"t{i}", i + 1)).ToArray();
        TranslationSplit a = TranslationSplit.Create(pairs, 3), b = TranslationSplit.Create(pairs, 3);
        Assert.Equal((15, 1, 3), (a.Train.Count, a.Valid.Count, a.Test.Count));   // ⌊0.8·19⌋ = 15, ⌊1.9⌋ = 1, rest 3
        Assert.Equal(a.Test.Select(e => e.Source), b.Test.Select(e => e.Source));
        Assert.Same(a.Valid, a.Part("valid"));
        Assert.Throws<ArgumentException>(() => a.Part("dev"));
        Assert.Throws<ArgumentException>(() => TranslationSplit.Create(pairs[..9]));
    }
}
