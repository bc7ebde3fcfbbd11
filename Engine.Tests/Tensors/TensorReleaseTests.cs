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
    public void OrdinaryTensor_Released_IsLeftToTheCollector_ButStillRefusesAccess()
    {
        var t = Tensor<double>.FromArray([1, 2, 3], 3);
        t.Release();
        Assert.Throws<ObjectDisposedException>(() => t.Span[0]);
    }

    [Fact]
    public void VarRelease_BeforeItsBackward_IsRefusedNamingTheOp_AfterItIsAllowed()
    {
        var x = new Var<double>(Tensor<double>.FromArray([1, 2, 3], 3), requiresGrad: true);
        var y = Ops.Tanh(x);
        var e = Assert.Throws<InvalidOperationException>(() => y.Release());
        Assert.Contains("Tanh", e.Message);
        Assert.Contains("Backward", e.Message);

        Ops.Sum(y).Backward();
        y.Release();
        Assert.True(y.Value.IsReleased);
        Assert.NotNull(x.Grad);
        Assert.Throws<ObjectDisposedException>(() => Ops.Sum(y));
    }

    [Fact]
    public void Release_ThroughADetachedVar_BeforeTheBackwardThatReadsIt_IsRefused()
    {
        // The RNN's backward reads h' from its output Y: a release through another Var holding Y must wait for it too.
        var rng = new SeededRng(3);
        var layer = RecurrentLayer<float>.Create(RecurrentCell.Rnn, 3, 64, rng);
        var x = new Var<float>(Tensor<float>.Normal([8, 64, 3], 0, 1, rng), requiresGrad: true);
        var (y, _) = layer.Forward(x);
        var loss = Ops.Sum(y);
        var e = Assert.Throws<InvalidOperationException>(() => y.Detach().Release());
        Assert.Contains("backward has not run", e.Message);
        Assert.Throws<InvalidOperationException>(() => y.Value.Release());
        Assert.False(y.Value.IsReleased);

        loss.Backward();
        y.Detach().Release();
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
