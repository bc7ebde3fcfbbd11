using System.Runtime.CompilerServices;
using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>What backward promises: accumulation, null grads for unused inputs, release of the graph, no-grad scopes.</summary>
public class AutogradSemanticsTests
{
    private static Var<double> Leaf(double[] data, params int[] shape) => new(Tensor<double>.FromArray(data, shape), requiresGrad: true);

    [Fact]
    public void Backward_CalledTwice_AccumulatesGradients()
    {
        var x = Leaf([1.0, -2.0, 3.0], 3);
        Ops.Sum(x * x).Backward();
        Ops.Sum(x * x).Backward();
        // d/dx Σx² = 2x, twice.
        TensorAssert.AllClose(Tensor<double>.FromArray([4.0, -8.0, 12.0], 3), x.Grad!);
        x.ZeroGrad();
        TensorAssert.BitEqual<double>(new double[3], x.Grad!.Span);
    }

    [Fact]
    public void Backward_LargeIntermediateGradients_AreRentedZeroedAndGivenBack()
    {
        // Intermediates of at least Tensor.RentFromElements elements get rented gradient storage. The pool is
        // dirtied with NaN between passes: a rented gradient that were not zeroed, or were given back while
        // still in use, would show up in x's gradient.
        int n = Tensor<double>.RentFromElements + 37;
        var rng = new SeededRng(91);
        var x = new Var<double>(Tensor<double>.Uniform([n], -1.5, 1.5, rng), requiresGrad: true);
        var w = Tensor<double>.Uniform([n], -1, 1, rng);
        var expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            double xi = x.Value.Span[i], t = Math.Tanh(xi * xi);
            expected[i] = w.Span[i] * (1 - t * t) * 2 * xi + 2 * xi; // d/dx [w·tanh(x²) + x²]
        }
        for (int pass = 0; pass < 3; pass++)
        {
            var dirty = System.Buffers.ArrayPool<double>.Shared.Rent(n);
            dirty.AsSpan().Fill(double.NaN);
            System.Buffers.ArrayPool<double>.Shared.Return(dirty);
            x.ZeroGrad();
            var u = x * x;                                    // intermediate used twice: its gradient accumulates
            var loss = Ops.Sum(Ops.Tanh(u) * new Var<double>(w)) + Ops.Sum(u);
            loss.Backward();
            TensorAssert.AllClose(Tensor<double>.FromArray(expected, n), x.Grad!, rtol: 1e-12, atol: 1e-12, what: $"pass {pass}");
        }
    }

    [Fact]
    public void Backward_UnusedInputs_GetNoGradient()
    {
        var a = Leaf([1.0, 2.0], 2);
        var b = Leaf([3.0, 4.0], 2);
        var c = Leaf([5.0, 6.0], 2);
        var unusedResult = Ops.Tanh(c);   // computed but not part of the loss
        Ops.Sum(a * b.Detach()).Backward();
        Assert.NotNull(a.Grad);
        Assert.Null(b.Grad);
        Assert.Null(c.Grad);
        Assert.NotNull(unusedResult.Creator);   // its graph is untouched by an unrelated backward
    }

    [Fact]
    public void Add_RowBias_GradientIsSumOverRows()
    {
        var gen = new CaseGen(1);
        var x = new Var<double>(gen.Normal(2, 3, 4), requiresGrad: true);
        var bias = new Var<double>(gen.Normal(4), requiresGrad: true);
        var upstream = gen.Normal(2, 3, 4);
        (x + bias).Backward(upstream);
        var expected = Tensor<double>.Zeros(4);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    expected[k] += upstream[i, j, k];
        TensorAssert.AllClose(expected, bias.Grad!, rtol: 1e-12, atol: 1e-12);
        TensorAssert.BitEqual<double>(upstream.Span, x.Grad!.Span);
    }

    [Fact]
    public void Backward_NonScalarRootWithoutGradient_ClearError()
    {
        var x = Leaf([1.0, 2.0, 3.0, 4.0], 2, 2);
        var y = Ops.Tanh(x);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("(2, 2)", e.Message);
        Assert.Contains("Backward(gradient)", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => y.Backward(Tensor<double>.Ones(4)));
        Assert.Contains("(2, 2)", shape.Message);
        Assert.Contains("(4)", shape.Message);
        y.Backward(Tensor<double>.Ones(2, 2));   // the explicit form works
        Assert.NotNull(x.Grad);
    }

    [Fact]
    public void Backward_RootWithoutGradient_ClearError()
    {
        var x = new Var<double>(Tensor<double>.Ones(2));
        var e = Assert.Throws<InvalidOperationException>(() => Ops.Sum(x).Backward());
        Assert.Contains("does not require a gradient", e.Message);
    }

    [Fact]
    public void Backward_SecondTimeThroughSameGraph_ClearError()
    {
        var x = Leaf([0.5, -0.5], 2);
        var loss = Ops.Sum(Ops.Tanh(x));
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("already released", e.Message);
    }

    [Fact]
    public void Backward_ThroughAnIntermediateWhoseGraphWasReleased_ClearError()
    {
        var x = Leaf([0.5, -0.5], 2);
        var h = Ops.Tanh(x);
        Ops.Sum(h).Backward();
        var e = Assert.Throws<InvalidOperationException>(() => Ops.Sum(h * h).Backward());
        Assert.Contains("already released", e.Message);
    }

    [Fact]
    public void Backward_ReleasesTheGraph_IntermediateTensorsAreCollected()
    {
        var x = Leaf([0.1, 0.2, 0.3], 3);
        var (lossBefore, weakBefore) = Forward(x);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Control: while the graph is alive the loss keeps the intermediate alive (so the check below can fail).
        Assert.True(weakBefore.IsAlive);
        GC.KeepAlive(lossBefore);

        var (loss, weak) = Forward(x);
        loss.Backward();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.IsAlive, "an intermediate tensor survived Backward: the graph was not released");
        Assert.Null(loss.Creator);
        GC.KeepAlive(loss);
    }

    /// <summary>loss = Σ tanh(x)·tanh(x); returns a weak reference to the intermediate tanh(x) tensor.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Var<double> Loss, WeakReference Weak) Forward(Var<double> x)
    {
        var h = Ops.Tanh(x);
        return (Ops.Sum(h * h), new WeakReference(h.Value));
    }

    [Fact]
    public void TrainingSteps_KeepingEveryLoss_MemoryDoesNotGrow()
    {
        // Keeping every loss alive, as a user logging losses does, must not keep the graphs: every step's
        // activations must be collectable once its backward ran. Weak references to them make this exact
        // and independent of what other tests allocate at the same time (process-wide byte counts are not).
        var gen = new CaseGen(12);
        var x = new Var<double>(gen.Normal(32, 16));
        var w = new Var<double>(gen.Normal(64, 16), requiresGrad: true);
        var losses = new List<Var<double>>();
        var activations = new List<WeakReference>();
        RunSteps(x, w, 300, losses, activations);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int alive = activations.Count(r => r.IsAlive);
        Assert.True(alive == 0, $"{alive} of {activations.Count} step activations are still reachable after backward");
        Assert.Equal(300, losses.Count);
        Assert.All(losses, l => Assert.Null(l.Creator));
    }

    [Fact]
    public void TrainingSteps_WithoutBackward_KeepTheirGraphs()
    {
        // The control for the test above: a graph that was never backpropagated is held by its loss, so the
        // weak references stay alive. Without this, the test above could pass for the wrong reason.
        var gen = new CaseGen(13);
        var x = new Var<double>(gen.Normal(8, 4));
        var w = new Var<double>(gen.Normal(8, 4), requiresGrad: true);
        var losses = new List<Var<double>>();
        var activations = new List<WeakReference>();
        RunSteps(x, w, 5, losses, activations, backward: false);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(activations, r => Assert.True(r.IsAlive));
        GC.KeepAlive(losses);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunSteps(Var<double> x, Var<double> w, int count, List<Var<double>> losses, List<WeakReference> activations, bool backward = true)
    {
        for (int s = 0; s < count; s++)
        {
            var h = Ops.Tanh(Ops.MatMul(x, w, transposeB: true));   // (32, 64)
            var loss = Ops.Mean(h * h);
            activations.Add(new WeakReference(h.Value));
            if (backward) loss.Backward();
            losses.Add(loss);
        }
    }

    [Fact]
    public void NoGradScope_RecordsNothing_AndNests()
    {
        var x = Leaf([1.0, 2.0], 2);
        Assert.True(GradMode.IsEnabled);
        using (new NoGradScope())
        {
            var y = Ops.Tanh(x);
            Assert.Null(y.Creator);
            Assert.False(y.RequiresGrad);
            using (new NoGradScope())
                Assert.False(GradMode.IsEnabled);
            Assert.False(GradMode.IsEnabled);   // the inner dispose restored the outer scope, not recording
            Assert.Null((x * x).Creator);
            bool otherThread = true;
            var t = new Thread(() => otherThread = GradMode.IsEnabled);
            t.Start();
            t.Join();
            Assert.True(otherThread);           // per thread
        }
        Assert.True(GradMode.IsEnabled);
        Assert.NotNull(Ops.Tanh(x).Creator);
    }

    [Fact]
    public void NoGradScope_DisposedOnAnotherThread_ClearErrorAndModeUnchanged()
    {
        var scope = new NoGradScope();
        Exception? error = null;
        bool stillOff;
        try
        {
            var t = new Thread(() => { error = Record.Exception(scope.Dispose); });
            t.Start();
            t.Join();
            stillOff = !GradMode.IsEnabled;
        }
        finally
        {
            scope.Dispose();   // never leak a scope into the next test on this thread
        }
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("different thread", error!.Message);
        Assert.True(stillOff);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void Detach_CutsTheGraph()
    {
        var x = Leaf([2.0, 3.0], 2);
        var y = x * x;
        // z = detach(x²) · x: dz/dx = x² (the detached factor is a constant), not 3x².
        Ops.Sum(y.Detach() * x).Backward();
        TensorAssert.AllClose(Tensor<double>.FromArray([4.0, 9.0], 2), x.Grad!);
        var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.Same(y.Value, d.Value);
    }

    [Fact]
    public void DeepGraph_100kChainedOps_BackpropsWithoutStackOverflow()
    {
        const int Depth = 100_000;
        var x = Leaf([0.5], 1);
        var y = x;
        for (int i = 0; i < Depth; i++) y = y + x;    // y = (Depth + 1)·x
        Ops.Sum(y).Backward();
        Assert.Equal(Depth + 1.0, x.Grad![0]);
    }

    [Fact]
    public void Backward_SharedSubexpression_GradientsAddUp()
    {
        // y = h·h + h with h = tanh(x): dy/dx = (2h + 1)(1 − h²).
        var x = Leaf([0.3, -0.7], 2);
        var h = Ops.Tanh(x);
        Ops.Sum(h * h + h).Backward();
        var expected = Tensor<double>.Zeros(2);
        for (int i = 0; i < 2; i++)
        {
            double t = Math.Tanh(x.Value[i]);
            expected[i] = (2 * t + 1) * (1 - t * t);
        }
        TensorAssert.AllClose(expected, x.Grad!, rtol: 1e-12, atol: 1e-14);
    }
}
