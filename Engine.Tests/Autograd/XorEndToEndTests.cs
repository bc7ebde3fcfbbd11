using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>End to end: a 2-layer perceptron learns XOR with plain SGD written here.</summary>
public class XorEndToEndTests
{
    [Fact]
    public void TwoLayerPerceptron_LearnsXor_WithSgd()
    {
        const int Hidden = 8, Steps = 1500;
        const float LearningRate = 0.2f;
        var rng = new SeededRng(2024);
        var x = new Var<float>(Tensor<float>.FromArray([0, 0, 0, 1, 1, 0, 1, 1], 4, 2));   // (B, 2)
        var target = new Var<float>(Tensor<float>.FromArray([0, 1, 1, 0], 4, 1));       // (B, 1)
        var w1 = new Var<float>(Tensor<float>.Uniform([Hidden, 2], -1f, 1f, rng), requiresGrad: true);   // (H, 2)
        var b1 = new Var<float>(Tensor<float>.Zeros(Hidden), requiresGrad: true);                        // (H)
        var w2 = new Var<float>(Tensor<float>.Uniform([1, Hidden], -1f, 1f, rng), requiresGrad: true);   // (1, H)
        var b2 = new Var<float>(Tensor<float>.Zeros(1), requiresGrad: true);                             // (1)
        Var<float>[] parameters = [w1, b1, w2, b2];

        float first = float.NaN, last = float.NaN;
        for (int step = 0; step < Steps; step++)
        {
            var h = Ops.Tanh(Ops.MatMul(x, w1, transposeB: true) + b1);       // (B, H)
            var y = Ops.MatMul(h, w2, transposeB: true) + b2;                // (B, 1)
            var loss = Ops.MseLoss(y, target);
            if (step == 0) first = loss.Value.Span[0];
            last = loss.Value.Span[0];
            foreach (var p in parameters) p.ZeroGrad();
            loss.Backward();
            foreach (var p in parameters)
            {
                var theta = p.Value.Span;
                var grad = p.Grad!.Span;
                for (int i = 0; i < theta.Length; i++) theta[i] -= LearningRate * grad[i];   // θ ← θ − η ∂L/∂θ
            }
        }
        Assert.True(first > 0.1f, $"the untrained loss {first} should be large");
        Assert.True(last < 0.01f, $"XOR loss after {Steps} steps is {last} (started at {first}); expected < 0.01");
    }
}
