using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

/// <summary>
/// <see cref="Tensor{T}.Release"/> gives pooled storage back for the next call and makes every later use of the tensor
/// an error, so a released output can neither be read by mistake nor hand its memory to two owners.
/// </summary>
public class TensorReleaseTests
{
    private const int Large = Tensor<float>.RentFromElements * 4;

    [Fact]
    public void PooledZeros_Released_TheNextOneGetsTheSameStorage_Zeroed()
    {
        var first = Tensor<float>.PooledZeros(4, Large / 4);
        first.Span.Fill(7f);
        ref float storage = ref MemoryMarshal.GetReference(first.Span);
        first.Release();

        var second = Tensor<float>.PooledZeros(4, Large / 4);
        Assert.True(Unsafe.AreSame(ref storage, ref MemoryMarshal.GetReference(second.Span)));
        Assert.All(second.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void PooledZeros_NotReleased_TheNextOneGetsOtherStorage()
    {
        var first = Tensor<float>.PooledZeros(Large);
        var second = Tensor<float>.PooledZeros(Large);
        Assert.False(Unsafe.AreSame(ref MemoryMarshal.GetReference(first.Span), ref MemoryMarshal.GetReference(second.Span)));
    }

    [Fact]
    public void Released_EveryAccessThrows_NamingTheShape_AndASecondReleaseDoesNothing()
    {
        var t = Tensor<float>.PooledZeros(3, Large / 3);
        t.Release();
        Assert.True(t.IsReleased);
        var e = Assert.Throws<ObjectDisposedException>(() => t.Span.Length);
        Assert.Contains($"(3, {Large / 3})", e.Message);
        Assert.Contains("released", e.Message);
        Assert.Throws<ObjectDisposedException>(() => t[0, 0]);
        Assert.Throws<ObjectDisposedException>(() => t[0, 0] = 1f);
        Assert.Throws<ObjectDisposedException>(() => t.Reshape(-1));
        Assert.Throws<ObjectDisposedException>(() => t.Rows(0, 1));
        Assert.Throws<ObjectDisposedException>(() => t.ToArray());
        t.Release();
    }

    [Fact]
    public void Released_WhileAViewSharesTheStorage_TheStorageStaysWithTheView()
    {
        var t = Tensor<float>.PooledZeros(2, Large / 2);
        var view = t.Rows(1, 1);
        view.Span.Fill(3f);
        t.Release();

        var next = Tensor<float>.PooledZeros(2, Large / 2);
        next.Span.Fill(-1f);
        Assert.All(view.ToArray(), v => Assert.Equal(3f, v));
    }

    [Fact]
    public void Released_ToString_SaysSoInsteadOfThrowing()
    {
        var t = Tensor<float>.Zeros(2, 3);
        t.Release();
        Assert.Equal("Tensor<Single>(2, 3) (released)", t.ToString());
    }

    [Fact]
    public void OrdinaryTensor_Released_IsLeftToTheCollector_ButStillRefusesAccess()
    {
        var t = Tensor<double>.FromArray([1, 2, 3], 3);
        t.Release();
        Assert.Throws<ObjectDisposedException>(() => t.Span[0]);
    }

    [Fact]
    public void VarRelease_BeforeItsBackward_WaitsForIt_ThenTheValueIsGone()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1, 2, 3], 3), requiresGrad: true);
        var y = Ops.Tanh(x);   // Tanh's backward reads its output
        y.Release();
        Assert.False(y.Value.IsReleased);

        Ops.Sum(y).Backward();
        Assert.True(y.Value.IsReleased);
        var expected = new double[] { 1, 2, 3 }.Select(v => 1 - Math.Tanh(v) * Math.Tanh(v)).ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], x.Grad!.Span[i], 12);
        Assert.Throws<ObjectDisposedException>(() => Ops.Sum(y));
    }

    [Fact]
    public void Release_ThroughADetachedVar_BeforeTheBackwardThatReadsIt_WaitsForIt()
    {
        // The RNN's backward reads h' from its output Y: a release through another Var holding Y waits for it too, and the
        // gradients are those of a pass without the release, although another pooled Y of that size is made in between.
        var (released, plain) = (RnnPass(release: true), RnnPass(release: false));
        Assert.Equal(plain.Grad, released.Grad);
        Assert.True(released.Y.IsReleased);

        static (double[] Grad, Tensor<float> Y) RnnPass(bool release)
        {
            var rng = new SeededRng(3);
            var layer = RecurrentLayer<float>.Create(RecurrentCell.Rnn, 3, 64, rng);
            var x = new Var<float>(Tensor<float>.Normal([8, 64, 3], 0, 1, rng), requiresGrad: true);
            var (y, _) = layer.Forward(x);
            var loss = Ops.Sum(y);
            if (release) y.Detach().Release();
            Assert.False(y.Value.IsReleased);
            using (new NoGradScope()) layer.Forward(x);
            loss.Backward();
            return (layer.Parameters().SelectMany(p => p.Grad!.ToArray()).Select(v => (double)v).ToArray(), y.Value);
        }
    }

    [Fact]
    public void AnOutputNoBackwardReaches_IsLeftToTheCollector_NotRefused()
    {
        // As PyTorch's graph keeps a tensor no backward reached: the release waits for a backward that never comes.
        var x = new Var<double>(Tensor<double>.FromArray([1, 2, 3], 3), requiresGrad: true);
        var (unused, used) = (Ops.Tanh(x), Ops.Tanh(x));
        Ops.Sum(used).Backward();
        unused.Release();
        used.Release();
        Assert.False(unused.Value.IsReleased);
        Assert.True(used.Value.IsReleased);

        var rng = new SeededRng(4);
        var lstm = new Lstm<float>(3, 16, rng, new RecurrentOptions());
        var (y, final) = lstm.Forward(new Var<float>(Tensor<float>.Normal([4, 10, 3], 0, 1, rng), requiresGrad: true));
        Ops.Sum(final.H).Backward();
        final.C!.Release();
        y.Release();
        Assert.True(y.Value.IsReleased);
    }

    [Fact]
    public void ArgMax_LeavesNoViewBehind_SoReleaseStillReturnsTheStorage()
    {
        var t = Tensor<float>.PooledZeros(4, Large / 4);
        t.Span[5] = 1f;
        Assert.Equal(5, t.ArgMax());
        ref float storage = ref MemoryMarshal.GetReference(t.Span);
        t.Release();
        Assert.True(Unsafe.AreSame(ref storage, ref MemoryMarshal.GetReference(Tensor<float>.PooledZeros(4, Large / 4).Span)));
    }

    [Fact]
    public void Loads_WithAReleasedTensor_ThrowBeforeTheyChangeAnything()
    {
        var model = new Linear<double>(2, 3, new SeededRng(1));
        var before = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
        var state = model.StateDict().ToDictionary(kv => kv.Key, kv => Tensor<double>.Full(7, kv.Value.ShapeArray()));
        state["bias"].Release();
        Assert.Throws<ObjectDisposedException>(() => model.LoadStateDict(state));
        Assert.Equal(before, model.Parameters().Select(p => p.Value.ToArray()).ToArray());

        var checkpoint = new CheckpointData<double> { Parameters = [.. state.Select(kv => new NamedTensor<double>(kv.Key, kv.Value))] };
        var named = model.NamedParameters().Select(kv => { kv.Value.Name = kv.Key; return kv.Value; }).ToArray();
        Assert.Throws<ObjectDisposedException>(() => checkpoint.RestoreInto(named));
        Assert.Equal(before, model.Parameters().Select(p => p.Value.ToArray()).ToArray());

        var opt = new Sgd<double>(model.Parameters(), 0.1, momentum: 0.9);
        var exported = opt.ExportState();
        var buffer = Tensor<double>.Zeros(3);
        buffer.Release();
        var bad = exported with { LearningRate = 0.5, Parameters = [exported.Parameters[0], new ParameterState<double>(3, MomentumBuffer: buffer)] };
        Assert.Throws<ObjectDisposedException>(() => opt.ImportState(bad));
        Assert.Equal(0.1, opt.LearningRate);
    }
}
