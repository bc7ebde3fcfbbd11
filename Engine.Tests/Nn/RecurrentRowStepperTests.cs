using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary><see cref="RecurrentRowStepper{T}"/> equals <see cref="RecurrentLayer{T}.Forward"/> one step at a time, bit for bit.</summary>
public sealed class RecurrentRowStepperTests
{
    public static TheoryData<RecurrentCell, int> Cells()
    {
        var data = new TheoryData<RecurrentCell, int>();
        foreach (var cell in Enum.GetValues<RecurrentCell>())
            foreach (int layers in new[] { 1, 3 }) data.Add(cell, layers);
        return data;
    }

    private static void EqualsLayer<T>(RecurrentCell cell, int layers, int seed, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(0xDA7A_0000UL + (ulong)seed);   // the data's stream, apart from the weights' SeededRng(seed)
        int b = rng.Next(1, 9), e = rng.Next(1, 20), h = rng.Next(1, 40);
        var layer = RecurrentLayer<T>.Create(cell, e, h, new SeededRng((ulong)seed), new RecurrentOptions(layers));
        using var stepper = new RecurrentRowStepper<T>(layer, b, pool);
        var state = layer.InitialState(b);
        for (int l = 0; l < layers; l++)                                        // the same random start in both
        {
            for (int i = 0; i < b * h; i++) state.H.Value.Span[l * b * h + i] = T.CreateTruncating(rng.NextDouble() - 0.5);
            state.H.Value.Span.Slice(l * b * h, b * h).CopyTo(stepper.H(l));
            if (state.C is null) continue;
            for (int i = 0; i < b * h; i++) state.C.Value.Span[l * b * h + i] = T.CreateTruncating(rng.NextDouble() - 0.5);
            state.C.Value.Span.Slice(l * b * h, b * h).CopyTo(stepper.C(l));
        }
        using var noGrad = new NoGradScope();
        for (int t = 0; t < 4; t++)
        {
            var x = Tensor<T>.Zeros(b, 1, e);
            for (int i = 0; i < x.Length; i++) x.Span[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
            (_, state) = layer.Forward(new Var<T>(x), state, pool: pool);
            stepper.Step(x.Span);
            for (int l = 0; l < layers; l++)
            {
                Assert.True(state.H.Value.Span.Slice(l * b * h, b * h).SequenceEqual(stepper.H(l)), $"{cell} h of layer {l} at step {t}, seed {seed}");
                if (state.C is not null) Assert.True(state.C.Value.Span.Slice(l * b * h, b * h).SequenceEqual(stepper.C(l)), $"{cell} c of layer {l} at step {t}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Step_EqualsTheLayerOverOneStep(RecurrentCell cell, int layers)
    {
        using var pool = new WorkerPool(2);
        for (int seed = 1; seed <= 5; seed++)
        {
            EqualsLayer<float>(cell, layers, seed, null);
            EqualsLayer<float>(cell, layers, seed, pool);
            EqualsLayer<double>(cell, layers, seed, pool);
        }
    }

    [Fact]
    public void Reorder_GathersEveryLayersRows()
    {
        var layer = RecurrentLayer<float>.Create(RecurrentCell.Lstm, 3, 2, new SeededRng(1), new RecurrentOptions(2));
        using var stepper = new RecurrentRowStepper<float>(layer, 3, null);
        for (int l = 0; l < 2; l++)
            for (int i = 0; i < 6; i++) (stepper.H(l)[i], stepper.C(l)[i]) = (10 * l + i, -(10 * l + i));
        stepper.Reorder([2, 2, 0]);
        Assert.Equal([4f, 5, 4, 5, 0, 1], stepper.H(0).ToArray());
        Assert.Equal([14f, 15, 14, 15, 10, 11], stepper.H(1).ToArray());
        Assert.Equal([-14f, -15, -14, -15, -10, -11], stepper.C(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Reorder([0, 3, 1]));
    }

    [Fact]
    public void Bidirectional_IsRefused()
    {
        var layer = RecurrentLayer<float>.Create(RecurrentCell.Gru, 3, 2, new SeededRng(1), new RecurrentOptions(1, Bidirectional: true));
        var e = Assert.Throws<ArgumentException>(() => new RecurrentRowStepper<float>(layer, 2, null));
        Assert.Contains("bidirectional", e.Message);
    }
}
