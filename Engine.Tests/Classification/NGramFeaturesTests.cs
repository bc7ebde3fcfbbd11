using SeqLearn.Classification;

namespace SeqLearn.Tests.Classification;

public class NGramFeaturesTests
{
    [Fact]
    public void Build_NumbersFirstSeen_EncodeIsBinarisedAscending_UnknownsDropped()
    {
        string[][] train = [["a", "b", "a"], ["b", "c"]];
        var uni = NGramFeatures.Build(train, 1);
        Assert.Equal(3, uni.Count);                                     // a=0, b=1, c=2
        Assert.Equal([0, 1], uni.Encode(["b", "a", "a", "b", "z"]));    // repeated tokens once; z unseen
        var bi = NGramFeatures.Build(train, 2);
        // unigrams a=0 b=1 then bigrams "a b"=2 "b a"=3 of sentence 0; then c=4, "b c"=5 of sentence 1
        Assert.Equal(6, bi.Count);
        Assert.Equal([0, 1, 2, 4, 5], bi.Encode(["a", "b", "c"]));
        Assert.Equal([1, 4], bi.Encode(["c", "b"]));                    // "c b" never seen in training
        Assert.Empty(bi.Encode(["x", "y"]));
    }
}
