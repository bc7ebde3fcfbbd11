using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// A many-to-one model, <c>Sequential([Embedding, Lstm, pooling, Linear])</c>, run on a padded batch with
/// <c>new LayerContext(Lengths: …)</c>, gives each row the bits it gets alone (ids (1, len)): the output row and the
/// gradient of every parameter under a loss that reads only that row. Padding ids are random valid ids.
/// </summary>
public class PaddedSequentialTests
{
    private static readonly int[] Lengths = [5, 2, 4, 1, 5];
    private const int V = 11, E = 4, H = 6, Classes = 3, Steps = 5;

    public static IEnumerable<object[]> Configs()
    {
        foreach (string pool in new[] { "LastStep", "MaskedMaxPool", "MaskedMeanPool" })
            foreach (bool bidirectional in new[] { false, true })
                foreach (var path in new[] { RecurrentPath.Fused, RecurrentPath.Composed })
                    yield return [pool, bidirectional, path];
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void PaddedBatch_EqualsEachRowAlone_Float(string pool, bool bidirectional, RecurrentPath path) => Check<float>(pool, bidirectional, path);

    [Theory]
    [MemberData(nameof(Configs))]
    public void PaddedBatch_EqualsEachRowAlone_Double(string pool, bool bidirectional, RecurrentPath path) => Check<double>(pool, bidirectional, path);

    private static void Check<T>(string pooling, bool bidirectional, RecurrentPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(41);
        int d = bidirectional ? 2 : 1;
        Module<T> pool = pooling switch
        {
            "LastStep" => new LastStep<T>(bidirectional),
            "MaskedMaxPool" => new MaskedMaxPool<T>(),
            _ => new MaskedMeanPool<T>(),
        };
        var model = new Sequential<T>(new Embedding<T>(V, E, rng), new Lstm<T>(E, H, rng, new RecurrentOptions(Bidirectional: bidirectional, Path: path)),
            pool, new Linear<T>(d * H, Classes, rng));
        var ids = Enumerable.Range(0, Lengths.Length * Steps).Select(_ => rng.NextInt(V)).ToArray();
        var w = Tensor<T>.Normal([1, Classes], T.Zero, T.One, new SeededRng(42));
        for (int b = 0; b < Lengths.Length; b++)
        {
            int len = Lengths[b];
            string what = $"{pooling} D{d} {path} {typeof(T).Name} row {b} (len {len})";

            model.ZeroGrad();
            var alone = model.Forward(ids.AsSpan(b * Steps, len), 1, len, new LayerContext(Lengths: [len]));
            Ops.Sum(alone * new Var<T>(w)).Backward();
            var aloneGrads = model.Parameters().Select(p => p.Grad!.Clone()).ToArray();

            model.ZeroGrad();
            var padded = Ops.Slice(model.Forward(ids, Lengths.Length, Steps, new LayerContext(Lengths: Lengths)), 0, b, 1);
            Ops.Sum(padded * new Var<T>(w)).Backward();

            TensorAssert.BitEqual<T>(alone.Value.Span, padded.Value.Span, what + " output");
            var names = model.NamedParameters().Select(p => p.Key).ToArray();
            var paddedGrads = model.Parameters().Select(p => p.Grad!).ToArray();
            for (int i = 0; i < names.Length; i++)
                TensorAssert.BitEqual<T>(aloneGrads[i].Span, paddedGrads[i].Span, $"{what} gradient of {names[i]}");
        }
    }

    /// <summary>
    /// Many-to-many, <c>Sequential([Embedding, Lstm, Linear])</c> at T = 330 &gt; 320: row 1 has 300 steps, one GEMM k slice
    /// alone, and the per-step Linear's weight gradient over the padded batch stops after its last step with a gradient,
    /// so it is one slice there too. A loss over the row's valid outputs gives it the bits of its run alone.
    /// </summary>
    [Theory]
    [InlineData(RecurrentPath.Fused)]
    [InlineData(RecurrentPath.Composed)]
    public void PerStepOutput_LongPaddedRow_EqualsRowAlone(RecurrentPath path)
    {
        const int steps = 330;
        int[] lengths = [steps, 300];
        var rng = new SeededRng(44);
        var model = new Sequential<float>(new Embedding<float>(V, E, rng), new Lstm<float>(E, H, rng, new RecurrentOptions(Path: path)), new Linear<float>(H, Classes, rng));
        var ids = Enumerable.Range(0, lengths.Length * steps).Select(_ => rng.NextInt(V)).ToArray();
        for (int b = 0; b < lengths.Length; b++)
        {
            int len = lengths[b];
            var w = new Var<float>(Tensor<float>.Normal([1, len, Classes], 0f, 1f, new SeededRng(45)));
            model.ZeroGrad();
            var alone = model.Forward(ids.AsSpan(b * steps, len), 1, len, new LayerContext(Lengths: [len]));
            Ops.Sum(alone * w).Backward();
            var aloneGrads = model.Parameters().Select(p => p.Grad!.Clone()).ToArray();

            model.ZeroGrad();
            var padded = Ops.Slice(Ops.Slice(model.Forward(ids, lengths.Length, steps, new LayerContext(Lengths: lengths)), 0, b, 1), 1, 0, len);
            Ops.Sum(padded * w).Backward();

            string what = $"{path} row {b} (len {len})";
            TensorAssert.BitEqual<float>(alone.Value.Span, padded.Value.Span, what + " output");
            var names = model.NamedParameters().Select(p => p.Key).ToArray();
            var paddedGrads = model.Parameters().Select(p => p.Grad!).ToArray();
            for (int i = 0; i < names.Length; i++)
                TensorAssert.BitEqual<float>(aloneGrads[i].Span, paddedGrads[i].Span, $"{what} gradient of {names[i]}");
        }
    }

    [Fact]
    public void WithoutLengths_PoolingUsesEveryStep_AndLengthsChangeTheResult()
    {
        var rng = new SeededRng(43);
        var model = new Sequential<double>(new Embedding<double>(V, E, rng), new Lstm<double>(E, H, rng), new MaskedMaxPool<double>(), new Linear<double>(H, Classes, rng));
        int[] ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var full = model.Forward(ids, 2, 5).Value;
        var sameAsFull = model.Forward(ids, 2, 5, new LayerContext(Lengths: [5, 5])).Value;
        TensorAssert.BitEqual<double>(full.Span, sameAsFull.Span);
        var shorter = model.Forward(ids, 2, 5, new LayerContext(Lengths: [5, 2])).Value;
        TensorAssert.BitEqual<double>(full.Span[..Classes], shorter.Span[..Classes]);
        Assert.NotEqual(full.Span[Classes], shorter.Span[Classes]);
    }
}
