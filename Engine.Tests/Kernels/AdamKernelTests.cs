using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Kernels;

public class AdamKernelTests
{
    private static void Compare<T>(int n, ulong seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        T[] Random(double scale) => [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating((2 * rng.NextDouble() - 1) * scale))];
        T[] theta = Random(1), grad = Random(0.1), m = Random(0.01), v = [.. Random(0.001).Select(T.Abs)];
        var c = new AdamCoefficients<T>(T.CreateTruncating(0.9), T.CreateTruncating(1 - 0.9), T.CreateTruncating(0.999), T.CreateTruncating(1 - 0.999),
            T.CreateTruncating(1e-4), T.CreateTruncating(1e-8), T.CreateTruncating(0.002 / (1 - Math.Pow(0.9, 7))), T.CreateTruncating(Math.Sqrt(1 - Math.Pow(0.999, 7))));
        T[] theta2 = [.. theta], m2 = [.. m], v2 = [.. v];
        for (int step = 0; step < 3; step++)
        {
            AdamKernel.Update<T>(theta, grad, m, v, c);
            AdamKernel.Reference<T>(theta2, grad, m2, v2, c);
        }
        Assert.Equal(theta2, theta);      // bit for bit: same operations in the same order
        Assert.Equal(m2, m);
        Assert.Equal(v2, v);
    }

    [Fact]
    public void Update_EqualsReference_BitForBit_OnOddSizes()
    {
        foreach (int n in (int[])[0, 1, 7, 15, 16, 17, 31, 33, 63, 100, 257, 1023])
        {
            Compare<float>(n, (ulong)n + 1);
            Compare<double>(n, (ulong)n + 2);
        }
    }

    [Fact]
    public void Update_LengthMismatch_Throws()
    {
        var c = new AdamCoefficients<float>(0.9f, 0.1f, 0.999f, 0.001f, 0, 1e-8f, 1e-3f, 1);
        Assert.Throws<ArgumentException>(() => AdamKernel.Update<float>(new float[4], new float[3], new float[4], new float[4], c));
    }
}
