using SeqLearn.Optim;
using Xunit;

namespace SeqLearn.Tests.Optim;

public class ParameterChunksTests
{
    [Theory]
    [InlineData(0, 4096, 0)]
    [InlineData(1, 4096, 1)]
    [InlineData(4096, 4096, 1)]
    [InlineData(4097, 4096, 2)]
    [InlineData(int.MaxValue, 4096, 524_288)]          // GradientSweep's parts of the largest tensor
    [InlineData(int.MaxValue, 1 << 15, 65_536)]        // Adam's chunks (int arithmetic wrapped to a negative count)
    [InlineData(int.MaxValue - 100, 1 << 15, 65_536)]
    public void Count_IsTheCeilingWithoutWrapping(int length, int size, int expected) =>
        Assert.Equal(expected, ParameterChunks.Count(length, size));

    [Fact]
    public void Owner_SkipsEmptyParameters()
    {
        int[] firstItem = [0, 2, 2, 5];   // parameter 1 has no items
        Assert.Equal([0, 0, 2, 2, 2], Enumerable.Range(0, 5).Select(i => ParameterChunks.Owner(firstItem, 3, i)));
    }
}
