using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

public class ParallelElementwiseTests
{
    private static float[] Random(SeededRng rng, int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextNormal()).ToArray();

    [Fact]
    public void EveryPass_OnAPool_BitIdenticalToTheScalarReference()
    {
        // Odd lengths around the parallel threshold and the chunk size, so chunks end mid-vector.
        var rng = new SeededRng(5);
        using var two = new WorkerPool(2);
        using var three = new WorkerPool(3);
        foreach (int n in new[] { 0, 1, 17, ParallelElementwise.MinParallel - 1, ParallelElementwise.MinParallel + 13, 3 * ParallelElementwise.ChunkSize + 7 })
        {
            float[] x = Random(rng, n), y = Random(rng, n), z = Random(rng, n);
            var product = new float[n];
            var fused = new float[n];
            for (int i = 0; i < n; i++)
            {
                product[i] = x[i] * y[i];
                fused[i] = x[i] * y[i] + z[i];
            }
            foreach (var pool in new[] { null, two, three })
            {
                var d = new float[n];
                ParallelElementwise.Multiply<float>(x, y, d, pool);
                TensorAssert.BitEqual<float>(product, d, $"Multiply n={n}");
                ParallelElementwise.MultiplyAdd<float>(x, y, z, d, pool);
                TensorAssert.BitEqual<float>(fused, d, $"MultiplyAdd n={n}");
            }
        }
    }

    [Fact]
    public void MultiplyAdd_InPlace_OnAPool_Accumulates()
    {
        var rng = new SeededRng(6);
        using var pool = new WorkerPool(2);
        int n = 2 * ParallelElementwise.MinParallel + 5;
        double[] g = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray(), m = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        double[] acc = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        var expected = acc.Select((a, i) => g[i] * m[i] + a).ToArray();
        ParallelElementwise.MultiplyAdd<double>(g, m, acc, acc, pool);
        TensorAssert.BitEqual<double>(expected, acc);
    }

    [Fact]
    public void LengthMismatch_ClearErrorNamingTheKernel()
    {
        var e = Assert.Throws<ArgumentException>(() => ParallelElementwise.Multiply<float>(new float[3], new float[4], new float[3], null));
        Assert.Contains("ParallelElementwise.Multiply", e.Message);
        Assert.Contains("3, 4", e.Message);
    }
}
