using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class TranslationVocabularyTests
{
    [Fact]
    public void Build_SpecialsFirst_ThenCountAtLeastTwo_ByCountThenOrdinal()
    {
        var v = TranslationVocabulary.Build(["b a .", "a c .", "a b d", "e"]);
        // counts: a 3, . 2, b 2, c 1, d 1, e 1 → a, then '.' and 'b' (2 each, ordinal order)
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a", ".", "b"], v.Tokens);
        Assert.Equal((0, 1, 2, 3), (v.PadId, v.UnkId, v.BosId, v.EosId));
        Assert.Equal([4, 1, 6, 3], v.EncodeSentence("a zebra b"));
    }

    [Fact]
    public void FraEng30k_VocabulariesFromTrainingPairsOnly()
    {
        TranslationSplit split = FraEng30k.DefaultSplit;
        var source = TranslationVocabulary.Build(split.TrainPairs.Select(p => p.Source));
        var target = TranslationVocabulary.Build(split.TrainPairs.Select(p => p.Target));
        var testOnly = split.Test.SelectMany(e => FraEngText.Tokenize(e.Source))
            .Except(split.TrainPairs.SelectMany(p => FraEngText.Tokenize(p.Source)), StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(testOnly);
        Assert.All(testOnly, w => Assert.False(source.TryGetId(w, out _)));
        Assert.True(source.Count > 1000 && target.Count > source.Count, $"source {source.Count}, target {target.Count}");
    }

    [Fact]
    public void Constructor_RequiresTheFourSpecials()
    {
        Assert.Throws<ArgumentException>(() => new TranslationVocabulary(["<unk>", "<pad>", "<bos>", "<eos>"]));
    }
}
