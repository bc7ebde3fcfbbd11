using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

// A Linear layer applied at every step of (B, T, in) multiplies all B·T rows at once; its weight gradient sums them as
// the depth of one product. With B·T = 480 > KC = 256, row 21 (rows [252, 264)) straddles a slice boundary: summed in
// two parts in the batch, in one chain alone. Linear passes T to MatMul, whose backward sums whole sequences per chunk
// (docs/masking.md §3.4), so each row's weight gradient equals its run alone bit for bit. At T > 320 a chunk is one row
// and stops after its last step with a nonzero gradient: a row of 257–320 valid steps is one k slice in the batch as it
// is alone (with k = T it would be two).
public class LinearPaddedIdentityTests
{
    private const int Batch = 40, Steps = 12, In = 5, Out = 7;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PerStepLinear_EveryRowAloneEqualsRowInBatch(int threads)
    {
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        var x = Tensor<float>.Uniform([Batch, Steps, In], -1f, 1f, new SeededRng(5));
        var targets = new SeededRng(6);
        int[] classes = [.. Enumerable.Range(0, Batch * Steps).Select(_ => targets.NextInt(Out))];
        int kc = GemmBlocking.For<float>().KC, straddling = 0;
        for (int b = 0; b < Batch; b++)
        {
            if ((b * Steps) / kc != ((b + 1) * Steps - 1) / kc) straddling++;
            int[] batchTargets = [.. classes.Select((t, i) => i / Steps == b ? t : -100)];
            var batch = Run(x, batchTargets, pool);
            var alone = Run(RowOf(x, b, Steps), classes[(b * Steps)..((b + 1) * Steps)], pool);
            AssertRowSame(alone, batch, b, Steps, $"row {b}");
        }
        Assert.Equal(1, straddling);
    }

    /// <summary>
    /// T = 330, row 1 has 300 valid steps (its padded steps' targets ignored): alone its ∂W is one k slice of depth 300;
    /// in the batch, a product over all T = 330 steps of its chunk would sum steps 0–255 and 256–299 in two slices.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void LongRow_PaddedPastOneSlice_AloneEqualsRowInBatch(int threads)
    {
        const int steps = 330, len = 300, row = 1;
        Assert.True(steps > GemmBlocking.For<float>().MaxKC && len > GemmBlocking.For<float>().KC && len <= GemmBlocking.For<float>().MaxKC);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        var x = Tensor<float>.Uniform([3, steps, In], -1f, 1f, new SeededRng(15));
        var rng = new SeededRng(16);
        int[] targets = [.. Enumerable.Range(0, 3 * steps).Select(i => i / steps == row && i % steps < len ? rng.NextInt(Out) : -100)];
        var batch = Run(x, targets, pool);
        var alone = Run(RowOf(x, row, len), targets[(row * steps)..(row * steps + len)], pool);
        AssertRowSame(alone, batch, row, steps, $"row {row} (len {len}) of T = {steps}");
    }

    /// <summary>Random B ≤ 4, T of 321–400, lengths of 1–T (one of 257–320), targets of the row's last steps sometimes ignored too, float and double, 1–3 threads.</summary>
    [Fact]
    public void LongRows_RandomLengths_AloneEqualsRowInBatch()
    {
        var cases = from batch in Gen.Choose(1, 4)
                    from steps in Gen.Choose(321, 400)
                    from threads in Gen.Choose(1, 3)
                    from isDouble in Gen.Elements(false, true)
                    from seed in Gen.Choose(0, 1_000_000)
                    select (batch, steps, threads, isDouble, seed);
        Check.One(FsCheckReplay.Fixed(20261207, 12), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            if (c.isDouble) LongRowsCase<double>(c.batch, c.steps, c.threads, c.seed);
            else LongRowsCase<float>(c.batch, c.steps, c.threads, c.seed);
        }));
    }

    private static void LongRowsCase<T>(int batch, int steps, int threads, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng((ulong)seed);
        int[] lengths = [.. Enumerable.Range(0, batch).Select(_ => 1 + rng.NextInt(steps))];
        lengths[rng.NextInt(batch)] = 257 + rng.NextInt(64);
        var x = Tensor<T>.Uniform([batch, steps, In], -T.One, T.One, rng);
        int[] classes = [.. Enumerable.Range(0, batch * steps).Select(_ => rng.NextInt(Out))];
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        for (int b = 0; b < batch; b++)
        {
            int ignoredTail = rng.NextInt(3) == 0 ? rng.NextInt(Math.Min(lengths[b], 40)) : 0;   // the row's last valid steps have no target
            int[] batchTargets = [.. classes.Select((t, i) => i / steps == b && i % steps < lengths[b] - ignoredTail ? t : -100)];
            var padded = Run(x, batchTargets, pool);
            var alone = Run(RowOf(x, b, lengths[b]), batchTargets[(b * steps)..(b * steps + lengths[b])], pool);
            AssertRowSame(alone, padded, b, steps, $"{typeof(T).Name} B {batch} T {steps} threads {threads} seed {seed}: row {b} (len {lengths[b]}, {ignoredTail} ignored)");
        }
    }

    private sealed record Grads<T>(T[] W, T[] B, T[] X, T Loss);

    private static Tensor<T> RowOf<T>(Tensor<T> x, int b, int len) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Tensor<T>.FromArray(x.Span.Slice(b * x.Dim(1) * In, len * In).ToArray(), 1, len, In);

    /// <summary>Loss, ∂W and ∂b equal; row <paramref name="b"/>'s ∂X equals the row's alone over its steps and is 0 past them.</summary>
    private static void AssertRowSame<T>(Grads<T> alone, Grads<T> batch, int b, int steps, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(alone.Loss, batch.Loss);
        TensorAssert.BitEqual<T>(alone.W, batch.W, $"{what} ∂W");
        TensorAssert.BitEqual<T>(alone.B, batch.B, $"{what} ∂b");
        var rowX = batch.X.AsSpan(b * steps * In, steps * In);
        TensorAssert.BitEqual<T>(alone.X, rowX[..alone.X.Length], $"{what} ∂X");
        foreach (var g in rowX[alone.X.Length..]) Assert.True(g == T.Zero, $"{what}: ∂X past the row's length is {g}, not 0");
    }

    private static Grads<T> Run<T>(Tensor<T> x, int[] targets, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var linear = new Linear<T>(In, Out, new SeededRng(11));
        var input = new Var<T>(x, requiresGrad: true);
        var y = linear.Forward(input, pool);                                    // (B, T, Out)
        var loss = Ops.SoftmaxCrossEntropy(Ops.Reshape(y, -1, Out), targets, Reduction.Sum);
        loss.Backward();
        return new(linear.Weight.Grad!.ToArray(), linear.Bias!.Grad!.ToArray(), input.Grad!.ToArray(), loss.Value.Span[0]);
    }
}
