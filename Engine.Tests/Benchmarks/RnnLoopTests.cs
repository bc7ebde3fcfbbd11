using SeqLearn.Benchmarks;

namespace SeqLearn.Tests.Benchmarks;

public class RnnLoopTests
{
    /// <summary>A bad argument is one line naming it and exit code 2, before any pass runs (no other shape is run instead).</summary>
    [Theory]
    [InlineData("rnn medium 2 15", "shape 'medium' is not small or large")]
    [InlineData("lstn small 2 15", "cell 'lstn' is not rnn, lstm or gru")]
    [InlineData("gru small two 15", "THREADS 'two' is not a whole number of at least 1")]
    [InlineData("gru small 0 15", "THREADS '0' is not a whole number of at least 1")]
    [InlineData("gru small 1 -3", "PASSES '-3' is not a whole number of at least 1")]
    public void RefusesABadArgumentNamingIt(string args, string message)
    {
        var error = new StringWriter();
        TextWriter before = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(2, RnnLoop.Run(args.Split(' '))); }
        finally { Console.SetError(before); }
        Assert.StartsWith($"loop: {message}; usage: loop", error.ToString());
    }
}
