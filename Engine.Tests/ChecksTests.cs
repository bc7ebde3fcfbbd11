namespace SeqLearn.Tests;

public class ChecksTests
{
    /// <summary>An excerpt keeps short text whole, cuts long text to max characters and "…", and never splits a surrogate pair.</summary>
    [Fact]
    public void Excerpt_CutsLongTextWithoutSplittingASurrogatePair()
    {
        Assert.Equal("abc", Checks.Excerpt("abc", 3));
        Assert.Equal("abc…", Checks.Excerpt("abcd", 3));
        Assert.Equal("ab…", Checks.Excerpt("ab😀d", 3));            // 😀 is two chars: the cut falls before it
        Assert.Equal(new string('x', 60) + "…", Checks.Excerpt(new string('x', 100)));
    }
}
