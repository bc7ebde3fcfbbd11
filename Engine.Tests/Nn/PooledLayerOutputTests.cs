using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// A stacked fused layer rents its lower layers' outputs and gives them back after their backward (or, without a graph,
/// after the next layer ran). The pool is dirtied with NaN between passes: a lower output that were given back while
/// still read, or taken from the pool without being zeroed (padded steps must stay 0), would change the values.
/// </summary>
public class PooledLayerOutputTests
{
    [Theory]
    [InlineData(RecurrentCell.Rnn, false)]
    [InlineData(RecurrentCell.Rnn, true)]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Gru, false)]
    public void StackedFusedLayer_PooledLowerOutput_SameValuesAndGradientsEveryPass(RecurrentCell cell, bool bidirectional)
    {
        // B·T·H ≥ Tensor.RentFromElements, so the lower layer's Y is rented.
        int b = 32, t = 128, e = 3, h = Tensor<double>.RentFromElements / (b * t) / (bidirectional ? 2 : 1);
        var rng = new SeededRng(44);
        var options = new RecurrentOptions(NumLayers: 3, Bidirectional: bidirectional);
        RecurrentLayer<double> layer = cell switch
        {
            RecurrentCell.Lstm => new Lstm<double>(e, h, rng, options),
            RecurrentCell.Gru => new Gru<double>(e, h, rng, options),
            _ => new Rnn<double>(e, h, rng, options),
        };
        var x = Tensor<double>.Normal([b, t, e], 0, 1, rng);
        var lengths = Enumerable.Range(0, b).Select(i => i % 3 == 0 ? t : 1 + i * 37 % t).ToArray(); // ragged: padded steps must read 0
        double[]? firstY = null, firstGrad = null, firstX = null, firstInference = null;
        for (int pass = 0; pass < 3; pass++)
        {
            Dirty(b * t * h * (bidirectional ? 2 : 1));
            layer.ZeroGrad();
            var xv = new Var<double>(x, requiresGrad: true);
            var (y, _) = layer.Forward(xv, lengths: lengths);
            Dirty(b * t * h * (bidirectional ? 2 : 1));
            Ops.Sum(y * y).Backward();
            var grads = layer.Parameters().SelectMany(p => p.Grad!.ToArray()).ToArray();
            double[] inference;
            using (new NoGradScope())
            {
                inference = layer.Forward(new Var<double>(x), lengths: lengths).Output.Value.ToArray();
                Dirty(b * t * h * (bidirectional ? 2 : 1));
            }
            if (pass == 0)
            {
                (firstY, firstGrad, firstX, firstInference) = (y.Value.ToArray(), grads, xv.Grad!.ToArray(), inference);
                Assert.Equal(firstY, inference);
                Assert.DoesNotContain(grads, double.IsNaN);
                continue;
            }
            Assert.Equal(firstY, y.Value.ToArray());
            Assert.Equal(firstGrad, grads);
            Assert.Equal(firstX, xv.Grad!.ToArray());
            Assert.Equal(firstInference, inference);
        }
    }

    [Theory]
    [InlineData(RecurrentCell.Rnn, false, 1)]
    [InlineData(RecurrentCell.Lstm, true, 1)]
    [InlineData(RecurrentCell.Gru, false, 2)]
    public void TopLayerOutput_ReleasedEveryPass_ReusedStorage_SameValuesAndGradients(RecurrentCell cell, bool bidirectional, int layers)
    {
        // The top layer's Y is the caller's: released, its storage goes back to the pool, where the next pass's buffers
        // of that size (Y, the saved states) find it; Y must come back zeroed (its padded steps read 0 although the previous
        // pass wrote every step of that storage) and no buffer may see another's values.
        int b = 32, t = 128, e = 3, d = bidirectional ? 2 : 1, h = Tensor<double>.RentFromElements / (b * t) / d;
        var rng = new SeededRng(47);
        var options = new RecurrentOptions(NumLayers: layers, Bidirectional: bidirectional);
        RecurrentLayer<double> layer = cell switch
        {
            RecurrentCell.Lstm => new Lstm<double>(e, h, rng, options),
            RecurrentCell.Gru => new Gru<double>(e, h, rng, options),
            _ => new Rnn<double>(e, h, rng, options),
        };
        var x = Tensor<double>.Normal([b, t, e], 0, 1, rng);
        var ragged = Enumerable.Range(0, b).Select(i => 1 + i * 29 % t).ToArray();
        var firstValues = new double[2][];
        var firstGrads = new double[2][];
        for (int pass = 0; pass < 4; pass++)
        {
            int kind = pass % 2; // a full pass (0) fills every step of the storage that the ragged pass (1) gets next
            var lengths = kind == 0 ? null : ragged;
            layer.ZeroGrad();
            var (y, _) = layer.Forward(new Var<double>(x, requiresGrad: true), lengths: lengths);
            Ops.Sum(y * y).Backward();
            var values = y.Value.ToArray();
            var grads = layer.Parameters().SelectMany(p => p.Grad!.ToArray()).ToArray();
            ref double storage = ref MemoryMarshal.GetReference(y.Value.Span);
            y.Release();
            Assert.Throws<ObjectDisposedException>(() => y.Value.Span.Length);
            var pooled = ArrayPool<double>.Shared.Rent(values.Length); // the pool hands the released storage out next
            Assert.True(Unsafe.AreSame(ref storage, ref MemoryMarshal.GetArrayDataReference(pooled)));
            ArrayPool<double>.Shared.Return(pooled);

            Var<double> again;
            using (new NoGradScope()) again = layer.Forward(new Var<double>(x), lengths: lengths).Output;
            Assert.Equal(values, again.Value.ToArray());
            again.Release();

            if (kind == 1)
                for (int row = 0; row < b; row++)
                    Assert.All(values.AsSpan((row * t + ragged[row]) * d * h, (t - ragged[row]) * d * h).ToArray(), v => Assert.Equal(0.0, v));
            if (pass < 2) (firstValues[kind], firstGrads[kind]) = (values, grads);
            else
            {
                Assert.Equal(firstValues[kind], values);
                Assert.Equal(firstGrads[kind], grads);
            }
        }
    }

    private static void Dirty(int length)
    {
        var arrays = new double[4][];
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = ArrayPool<double>.Shared.Rent(length);
            arrays[i].AsSpan().Fill(double.NaN);
        }
        foreach (var a in arrays) ArrayPool<double>.Shared.Return(a);
    }

    [Fact]
    public void FrozenLowerLayer_PooledOutputStaysForTheRecordedLayerAbove()
    {
        // Layer 0 records no node (its weights and x need no gradient), layer 1 does: layer 1's backward reads layer 0's
        // pooled Y for ∂W_ih, so it must not go back to the pool after the forward. Dirtying the pool between forward and
        // backward would otherwise put NaN into ∂W_ih of layer 1.
        var (trained, frozen, x) = FrozenBelowTrained();
        var (reference, _) = trained.Forward(new Var<double>(x));
        Ops.Sum(reference * reference).Backward();
        var (y, _) = frozen.Forward(new Var<double>(x));
        Dirty(x.Dim(0) * x.Dim(1) * frozen.HiddenSize);
        Ops.Sum(y * y).Backward();

        var top = frozen.WeightsOf(1, 0);
        Assert.Equal(trained.WeightsOf(1, 0).WeightIh.Grad!.ToArray(), top.WeightIh.Grad!.ToArray());
        Assert.Equal(trained.WeightsOf(1, 0).WeightHh.Grad!.ToArray(), top.WeightHh.Grad!.ToArray());
        Assert.Null(frozen.WeightsOf(0, 0).WeightIh.Grad);
    }

    [Fact]
    public void FrozenLowerLayer_PooledOutputGoesBackAfterTheBackwardAbove()
    {
        // Layer 0 has no node to give its pooled Y back, so layer 1's node does once its backward has read it. A buffer
        // given back belongs to no tensor: TakeOwned finds nothing to move. One kept would be a fresh rent every step.
        var (_, frozen, x) = FrozenBelowTrained();
        var (y, _) = frozen.Forward(new Var<double>(x));
        var lowerY = y.Creator!.Inputs[0].Value; // layer 1's x: layer 0's Y
        Assert.True(lowerY.Length >= Tensor<double>.RentFromElements);
        Ops.Sum(y * y).Backward();
        Assert.Null(lowerY.TakeOwned(Tensor<double>.Zeros(lowerY.Shape.ToArray())));
    }

    /// <summary>
    /// A two-layer LSTM whose Y is large enough to be rented, and a copy of it whose layer 0 needs no gradient
    /// (so records no node) while layer 1 does; and an input x (B, T, E).
    /// </summary>
    private static (Lstm<double> Trained, Lstm<double> Frozen, Tensor<double> X) FrozenBelowTrained()
    {
        int b = 32, t = 128, e = 3, h = Tensor<double>.RentFromElements / (b * t);
        var trained = new Lstm<double>(e, h, new SeededRng(45), new RecurrentOptions(NumLayers: 2));
        RecurrentWeights<double> Copy(RecurrentWeights<double> w, bool grad) => new(
            new Var<double>(w.WeightIh.Value.Clone(), grad), new Var<double>(w.WeightHh.Value.Clone(), grad),
            new Var<double>(w.BiasIh.Value.Clone(), grad), new Var<double>(w.BiasHh.Value.Clone(), grad));
        var frozen = new Lstm<double>([[Copy(trained.WeightsOf(0, 0), false)], [Copy(trained.WeightsOf(1, 0), true)]], new RecurrentOptions(NumLayers: 2));
        return (trained, frozen, Tensor<double>.Normal([b, t, e], 0, 1, new SeededRng(46)));
    }
}
