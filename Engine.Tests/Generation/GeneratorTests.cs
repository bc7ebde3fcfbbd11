using SeqLearn.Generation;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Generation;

public class GeneratorTests
{
    [Fact]
    public void Generate_PrimesWithPromptThenFeedsBackEachToken()
    {
        var chain = MarkovChain.Random(6, seed: 8);
        var tokens = Generator.Generate(chain, 0, [3, 1, 4], 5, SamplingOptions.Greedy, new SeededRng(1)).ToArray();
        Assert.Equal(5, tokens.Length);
        // Greedy on a Markov chain: each token is the argmax of the previous token's row.
        int prev = 4;
        foreach (int t in tokens)
        {
            int best = Enumerable.Range(0, 6).MaxBy(j => chain.P[prev, j]);
            Assert.Equal(best, t);
            prev = t;
        }
        Assert.Equal([3, 1, 4, .. tokens[..^1]], chain.Fed);
    }

    [Fact]
    public void Generate_IsLazyAndStreams()
    {
        var chain = MarkovChain.Random(4, seed: 2);
        var stream = Generator.Generate(chain, 0, [0], 1_000_000, new SamplingOptions(), new SeededRng(3));
        Assert.Empty(chain.Fed);
        var first = stream.Take(3).ToArray();
        Assert.Equal(3, first.Length);
        Assert.Equal(3, chain.Fed.Count);   // the prompt token and the first two generated tokens
    }

    [Fact]
    public void Generate_SameSeed_SameTokens_StopsAtStopToken()
    {
        var chain = MarkovChain.Random(8, seed: 5);
        var a = Generator.Generate(chain, 0, [1], 200, new SamplingOptions(0.9, 5, 0.95), new SeededRng(42)).ToArray();
        var b = Generator.Generate(chain, 0, [1], 200, new SamplingOptions(0.9, 5, 0.95), new SeededRng(42)).ToArray();
        Assert.Equal(a, b);
        var stopped = Generator.Generate(chain, 0, [1], 200, new SamplingOptions(0.9, 5, 0.95), new SeededRng(42), stopToken: 7).ToArray();
        int firstStop = Array.IndexOf(a, 7);
        Assert.True(firstStop >= 0, "the stop token never appeared in 200 samples");
        Assert.Equal(a[..(firstStop + 1)], stopped);
    }

    [Fact]
    public void Generate_BadPrompt_IsAClearError()
    {
        var chain = MarkovChain.Random(4, seed: 2);
        var empty = Assert.Throws<ArgumentException>(() => Generator.Generate(chain, 0, [], 3, new(), new SeededRng(1)));
        Assert.Contains("empty", empty.Message);
        Assert.Equal("prompt", empty.ParamName);
        Assert.Contains("prompt[1] = 9", Assert.Throws<ArgumentOutOfRangeException>(() => Generator.Generate(chain, 0, [0, 9], 3, new(), new SeededRng(1))).Message);
    }

    /// <summary>A stop token outside the vocabulary can never be sampled: it is a caller error (as BeamSearch's EosId is), not a silent "never stop".</summary>
    [Fact]
    public void Generate_StopTokenOutsideTheVocabulary_IsAClearError()
    {
        var chain = MarkovChain.Random(4, seed: 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Generator.Generate(chain, 0, [0], 3, new(), new SeededRng(1), stopToken: 4));
        Assert.Equal("stopToken", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Generator.Generate(chain, 0, [0], 3, new(), new SeededRng(1), stopToken: -1));
    }
}
