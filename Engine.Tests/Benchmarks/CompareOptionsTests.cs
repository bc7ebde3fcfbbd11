using SeqLearn.Benchmarks;

namespace SeqLearn.Tests.Benchmarks;

public class CompareOptionsTests
{
    [Fact]
    public void Positive_AbsentGivesTheDefault_PresentGivesItsValue()
    {
        Assert.Equal(7, CompareOptions.Positive(["--one-thread"], "--repeats", 7));
        Assert.Equal(3, CompareOptions.Positive(["--repeats", "3", "--one-thread"], "--repeats", 7));
    }

    /// <summary>A repeat count that would take the median of nothing, a non-number or a missing value is one message naming the option.</summary>
    [Theory]
    [InlineData("--rounds 0", "--rounds must be a whole number ≥ 1, got '0'.")]
    [InlineData("--rounds -2", "--rounds must be a whole number ≥ 1, got '-2'.")]
    [InlineData("--rounds five", "--rounds must be a whole number ≥ 1, got 'five'.")]
    [InlineData("--rounds", "--rounds needs a value (a whole number ≥ 1).")]
    public void Positive_BadValue_IsRefusedNamingTheOption(string args, string message) =>
        Assert.Equal(message, Assert.Throws<CompareOptions.InvalidOption>(() => CompareOptions.Positive(args.Split(' '), "--rounds", 5)).Message);
}
