using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd.Footguns;

/// <summary>
/// Surprising but intended behaviour, written down as tests. Each test shows the trap and the fix.
/// </summary>
public class FootgunTests
{
    /// <summary>
    /// Truncated BPTT: carrying the hidden state h from one batch into the next without <see cref="Var{T}.Detach"/>
    /// links the new graph to the old one, which the first Backward already released. The second Backward fails
    /// with a clear error. Fix: <c>h = h.Detach()</c> between batches.
    /// </summary>
    [Fact]
    public void HiddenStateCarriedAcrossBatches_WithoutDetach_SecondBackwardThrows()
    {
        var gen = new CaseGen(3);
        var w = new Var<double>(gen.Normal(3, 3), requiresGrad: true);
        var h = new Var<double>(Tensor<double>.Zeros(1, 3));
        Var<double> Step(Var<double> state, Tensor<double> x) => Ops.Tanh(Ops.MatMul(state, w) + new Var<double>(x));

        h = Step(h, gen.Normal(1, 3));
        Ops.Sum(h).Backward();                        // batch 1: fine, releases batch 1's graph
        var h2 = Step(h, gen.Normal(1, 3));           // batch 2 starts from batch 1's (released) h
        var e = Assert.Throws<InvalidOperationException>(() => Ops.Sum(h2).Backward());
        Assert.Contains("Detach", e.Message);

        var h3 = Step(h.Detach(), gen.Normal(1, 3));   // the fix
        Ops.Sum(h3).Backward();
    }

    /// <summary>
    /// Ops save their inputs by reference, not by copy. Changing a saved tensor in place between forward and
    /// backward silently changes the gradient (PyTorch detects this with version counters; SeqLearn does not).
    /// Fix: never mutate a value that is part of a live graph (optimizers step after Backward, which is safe).
    /// </summary>
    [Fact]
    public void MutatingATensorSavedForBackward_ChangesTheGradient()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1.0, 2.0], 2), requiresGrad: true);
        var w = new Var<double>(Tensor<double>.FromArray([3.0, 4.0], 2));
        var loss = Ops.Sum(x * w);                    // ∂loss/∂x = w = [3, 4] at forward time
        w.Value.Span.Fill(10.0);                      // mutate w before backward
        loss.Backward();
        TensorAssert.BitEqual<double>(new[] { 10.0, 10.0 }, x.Grad!.Span);   // the new w, not [3, 4]
    }

    /// <summary>Forgetting ZeroGrad between steps: gradients keep accumulating (by design, as in PyTorch).</summary>
    [Fact]
    public void WithoutZeroGrad_GradientsFromTwoStepsAdd()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1.5], 1), requiresGrad: true);
        for (int step = 0; step < 2; step++) Ops.Sum(x * 2.0).Backward();
        Assert.Equal(4.0, x.Grad![0]);
        x.ZeroGrad();
        Ops.Sum(x * 2.0).Backward();
        Assert.Equal(2.0, x.Grad![0]);
    }

    /// <summary>Reshape returns a view: writing into the reshaped value writes into the original.</summary>
    [Fact]
    public void Reshape_SharesStorage_WritesShowInTheOriginal()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2));
        var r = Ops.Reshape(x, 4);
        r.Value.Span[3] = 40.0;
        Assert.Equal(40.0, x.Value[1, 1]);
    }
}
