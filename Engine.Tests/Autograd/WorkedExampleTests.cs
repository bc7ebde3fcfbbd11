using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>The worked example of docs/autograd.md: the hand-computed numbers there, reproduced by the engine.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void WorkedExample_MatchesTheHandComputationInDocs()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1.5], 1), requiresGrad: true, name: "x");
        var w = new Var<double>(Tensor<double>.FromArray([0.4], 1), requiresGrad: true, name: "w");
        var b = new Var<double>(Tensor<double>.FromArray([-0.1], 1), requiresGrad: true, name: "b");

        var u = w * x;          // 0.6
        var z = u + b;          // 0.5
        var h = Ops.Tanh(z);    // 0.46211715726
        var loss = h * w;       // 0.18484686290

        Assert.Equal(0.18484686290, loss.Value.Span[0], 1e-11);
        loss.Backward();
        // Numbers from the table in docs/autograd.md (computed by hand with a calculator).
        Assert.Equal(0.31457909319, b.Grad![0], 1e-11);
        Assert.Equal(0.12583163727, x.Grad![0], 1e-11);
        Assert.Equal(0.93398579704, w.Grad![0], 1e-11);   // 0.46211715726 (via L = h·w) + 0.47186863978 (via u = w·x)
    }
}
