using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>The README's code example runs here, and the README block must match this source exactly.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_LearnsXor()
    {
        // README example begin
        var rng = new SeededRng(seed: 1);
        var x = new Var<float>(Tensor<float>.FromArray([0, 0, 0, 1, 1, 0, 1, 1], 4, 2));  // (N, 2)
        int[] y = [0, 1, 1, 0];                                                             // class per row
        var w1 = new Var<float>(Tensor<float>.Uniform([8, 2], -1f, 1f, rng), requiresGrad: true);  // (H, 2)
        var b1 = new Var<float>(Tensor<float>.Zeros(8), requiresGrad: true);
        var w2 = new Var<float>(Tensor<float>.Uniform([2, 8], -1f, 1f, rng), requiresGrad: true);  // (2, H)
        var b2 = new Var<float>(Tensor<float>.Zeros(2), requiresGrad: true);
        var optimizer = new Adam<float>([w1, b1, w2, b2], learningRate: 0.05);

        float loss = float.NaN;
        for (int step = 0; step < 300; step++)
        {
            var h = Ops.Tanh(Ops.MatMul(x, w1, transposeB: true) + b1);     // (N, H) = tanh(x W1ᵀ + b1)
            var logits = Ops.MatMul(h, w2, transposeB: true) + b2;           // (N, 2)
            var l = Ops.SoftmaxCrossEntropy(logits, y);                      // mean over rows
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            loss = l.Value.Span[0];
        }
        Console.WriteLine($"final loss {loss:F4}");
        // README example end

        Assert.True(loss < 0.05f, $"XOR loss {loss} did not fall below 0.05 in 300 Adam steps.");
    }

    [Theory]
    [InlineData("ReadmeExampleTests.cs", "README example", 0)]
    [InlineData("ReadmeClassifierExampleTests.cs", "README classifier example", 1)]
    public void ReadmeExample_IsIdenticalToItsTest(string testFile, string marker, int block)
    {
        string Normalize(IEnumerable<string> lines) => string.Join("\n", lines.Select(l => l.Trim()).Where(l => l.Length > 0));

        var source = File.ReadAllLines(Path.Combine(RepoPaths.Root, "Engine.Tests", testFile));
        int begin = Array.FindIndex(source, l => l.Trim() == $"// {marker} begin");
        int end = Array.FindIndex(source, l => l.Trim() == $"// {marker} end");
        Assert.True(begin >= 0 && end > begin, $"{testFile} has no '// {marker} begin/end' markers.");
        string fromTest = Normalize(source[(begin + 1)..end]);

        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        int open = -1, close = -1;
        for (int k = 0; k <= block; k++)
        {
            open = Array.FindIndex(readme, close + 1, l => l.Trim() == "```csharp");
            Assert.True(open >= 0, $"README.md has fewer than {block + 1} ```csharp blocks.");
            close = Array.FindIndex(readme, open + 1, l => l.Trim() == "```");
        }
        var code = readme[(open + 1)..close].Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal));
        Assert.Equal(fromTest, Normalize(code));
    }
}
