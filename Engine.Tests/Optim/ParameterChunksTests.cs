using SeqLearn.Optim;
using Xunit;

namespace SeqLearn.Tests.Optim;

public class ParameterChunksTests
{
    [Fact]
    public void Owner_SkipsEmptyParameters()
    {
        int[] firstItem = [0, 2, 2, 5];   // parameter 1 has no items
        Assert.Equal([0, 0, 2, 2, 2], Enumerable.Range(0, 5).Select(i => ParameterChunks.Owner(firstItem, 3, i)));
    }
}
