using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>A graph recorded inside a <see cref="LeafGradients{T}"/> scope sends its leaf gradients there, and only there.</summary>
public sealed class LeafGradientsTests
{
    [Fact]
    public void GraphRecordedInTheScope_AddsIntoTheSet_NotIntoTheLeaves_AndAccumulatesOverPasses()
    {
        var w = new Var<double>(Tensor<double>.FromArray([1.0, -2.0, 3.0], 3), requiresGrad: true);
        var x = new Var<double>(Tensor<double>.FromArray([0.5, 0.25, -1.0], 3));
        var set = new LeafGradients<double>();
        Var<double> loss;
        using (set.Enter()) loss = Ops.Sum(Ops.Tanh(w * x));
        loss.Backward();                                      // outside the scope: the nodes remember the set
        Assert.Null(w.Grad);
        var g = set.Of(w)!.Span.ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(x.Value.Span[i] * (1 - Math.Pow(Math.Tanh(w.Value.Span[i] * x.Value.Span[i]), 2)), g[i], 14);

        using (set.Enter()) loss = Ops.Sum(Ops.Tanh(w * x));
        loss.Backward();
        for (int i = 0; i < 3; i++) Assert.Equal(2 * g[i], set.Of(w)!.Span[i], 14);
        Ops.Sum(Ops.Tanh(w * x)).Backward();                 // no scope: the leaf's own gradient
        Assert.Equal(g, w.Grad!.Span.ToArray());
        Assert.Null(new LeafGradients<double>().Of(w));
    }
}
