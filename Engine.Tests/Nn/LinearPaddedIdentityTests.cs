using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

// A Linear layer applied at every step of (B, T, in) multiplies all B·T rows at once; its weight gradient sums them as
// the depth of one product. With B·T = 480 > KC = 256, row 21 (rows [252, 264)) straddles a slice boundary: summed in
// two parts in the batch, in one chain alone. Linear passes T to MatMul, whose backward sums whole sequences per chunk
// (docs/masking.md §3.4), so each row's weight gradient equals its run alone bit for bit.
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
            var (batchW, batchB, batchLoss) = Run(x, batchTargets, pool);
            var row = Tensor<float>.FromArray(x.Span.Slice(b * Steps * In, Steps * In).ToArray(), 1, Steps, In);
            var (aloneW, aloneB, aloneLoss) = Run(row, classes[(b * Steps)..((b + 1) * Steps)], pool);
            Assert.Equal(aloneLoss, batchLoss);
            TensorAssert.BitEqual<float>(aloneW, batchW, $"row {b} ∂W");
            TensorAssert.BitEqual<float>(aloneB, batchB, $"row {b} ∂b");
        }
        Assert.Equal(1, straddling);
    }

    private static (float[] W, float[] B, float Loss) Run(Tensor<float> x, int[] targets, WorkerPool? pool)
    {
        var linear = new Linear<float>(In, Out, new SeededRng(11));
        var y = linear.Forward(new Var<float>(x), pool);                                    // (B, T, Out)
        var loss = Ops.SoftmaxCrossEntropy(Ops.Reshape(y, -1, Out), targets, Reduction.Sum);
        loss.Backward();
        return (linear.Weight.Grad!.ToArray(), linear.Bias!.Grad!.ToArray(), loss.Value.Span[0]);
    }
}
