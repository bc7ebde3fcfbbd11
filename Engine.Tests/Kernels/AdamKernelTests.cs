using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Kernels;

public class AdamKernelTests
{
    private static void Compare<T>(int n, ulong seed, double scale = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        T[] Random(double scale) => [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating((2 * rng.NextDouble() - 1) * scale))];
        T[] theta = Random(1), grad = Random(0.1), m = Random(0.01), v = [.. Random(0.001).Select(T.Abs)];
        var c = new AdamCoefficients<T>(T.CreateTruncating(0.9), T.CreateTruncating(1 - 0.9), T.CreateTruncating(0.999), T.CreateTruncating(1 - 0.999),
            T.CreateTruncating(1e-4), T.CreateTruncating(1e-8), T.CreateTruncating(0.002 / (1 - Math.Pow(0.9, 7))), T.CreateTruncating(Math.Sqrt(1 - Math.Pow(0.999, 7))));
        T[] theta2 = [.. theta], m2 = [.. m], v2 = [.. v];
        for (int step = 0; step < 3; step++)
        {
            if (scale == 1) AdamKernel.Update<T>(theta, grad, m, v, c);
            else AdamKernel.Update<T>(theta, grad, m, v, c, T.CreateTruncating(scale));
            AdamKernel.Reference<T>(theta2, grad, m2, v2, c, T.CreateTruncating(scale));
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
            Compare<float>(n, (ulong)n + 3, scale: 0.3712);   // a clipping coefficient applied inside the update
            Compare<double>(n, (ulong)n + 4, scale: 1e-3);
        }
    }

    [Fact]
    public void Update_ScaledGradient_EqualsUpdateOfTheGradientScaledFirst()
    {
        var rng = new SeededRng(19);
        const int n = 101;
        float[] Random() => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5))];
        float[] theta = Random(), grad = Random(), m = Random(), v = [.. Random().Select(MathF.Abs)];
        float[] theta2 = [.. theta], m2 = [.. m], v2 = [.. v], scaled = [.. grad];
        var c = new AdamCoefficients<float>(0.9f, 0.1f, 0.999f, 0.001f, 1e-4f, 1e-8f, 1e-3f, 0.5f);
        const float s = 0.123f;
        TensorPrimitives.Multiply(scaled, s, scaled);
        AdamKernel.Update<float>(theta, grad, m, v, c, s);
        AdamKernel.Update<float>(theta2, scaled, m2, v2, c);
        Assert.Equal(theta2, theta);
        Assert.Equal(m2, m);
        Assert.Equal(v2, v);
    }

    [Fact]
    public void Update_LengthMismatch_Throws()
    {
        var c = new AdamCoefficients<float>(0.9f, 0.1f, 0.999f, 0.001f, 0, 1e-8f, 1e-3f, 1);
        Assert.Throws<ArgumentException>(() => AdamKernel.Update<float>(new float[4], new float[3], new float[4], new float[4], c));
    }
}
