using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

public class SeededRngTests
{
    // xoshiro256** seeded by SplitMix64(1), computed independently (a dozen lines of Python following the published
    // reference) so that the stream cannot drift between versions or platforms.
    [Fact]
    public void NextUInt64_Seed1_IsTheReferenceXoshiro256StarStarStream()
    {
        var rng = new SeededRng(1);
        Assert.Equal([0xb3f2af6d0fc710c5UL, 0x853b559647364ceaUL, 0x92f89756082a4514UL], [rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64()]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(300)]
    public void NextDoubles_EqualsThatManyNextDoubleCalls_AndTheStreamGoesOnFromThere(int n)
    {
        var one = new SeededRng(42);
        var bulk = new SeededRng(42);
        double[] expected = [.. Enumerable.Range(0, n).Select(_ => one.NextDouble())];
        var actual = new double[n];
        bulk.NextDoubles(actual);
        Assert.Equal(expected, actual);
        Assert.Equal(one.NextUInt64(), bulk.NextUInt64());
        Assert.All(actual, u => Assert.InRange(u, 0.0, Math.BitDecrement(1.0)));
    }
}
