using System.Runtime.Intrinsics;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Kernels;

/// <summary>The float e^x of the gate kernels against double-precision Math.Exp, on both vector widths.</summary>
public class VectorExpTests
{
    /// <summary>Uniform values over the finite range, the range ends and the special values.</summary>
    private static float[] Inputs()
    {
        var rng = new SeededRng(17);
        var xs = new List<float> { 0f, -0f, 1f, -1f, 1e-30f, -1e-30f, VectorExp.Hi, VectorExp.Lo, 88.5f, 89f, -88f, -104f, 1000f, -1000f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, MathF.BitDecrement(VectorExp.Hi), MathF.BitIncrement(VectorExp.Lo) };
        for (int i = 0; i < 20_000; i++) xs.Add((float)(rng.NextDouble() * 200 - 100));
        for (int i = 0; i < 5_000; i++) xs.Add((float)(rng.NextDouble() * 2 - 1) * 0.4f); // around 0, where |r| is small
        while (xs.Count % 16 != 0) xs.Add((float)rng.NextDouble());
        return [.. xs];
    }

    private static void Check(float[] xs, float[] ys, string width)
    {
        for (int i = 0; i < xs.Length; i++)
        {
            float x = xs[i], y = ys[i];
            string at = $"{width} e^{x:R}";
            if (float.IsNaN(x)) Assert.True(float.IsNaN(y), $"{at} = {y}, expected NaN");
            else if (x > VectorExp.Hi) Assert.True(float.IsPositiveInfinity(y), $"{at} = {y}, expected +inf");
            else if (x < VectorExp.Lo) Assert.True(y == 0f, $"{at} = {y}, expected 0");
            else
            {
                double exact = Math.Exp(x), rel = Math.Abs(y - exact) / exact;
                Assert.True(rel <= 3e-7, $"{at} = {y:R}, exact {exact:R}, relative error {rel:E2} > 3e-7");
            }
        }
    }

    [Fact]
    public void Exp_Vector512_MatchesDoubleExpWithinThreeTenthsOfAMillionth()
    {
        // Without hardware support the same operations run in software, so the algorithm is checked on any machine.
        var xs = Inputs();
        var ys = new float[xs.Length];
        for (int i = 0; i < xs.Length; i += 16) VectorExp.Exp(Vector512.Create(xs.AsSpan(i, 16))).CopyTo(ys.AsSpan(i, 16));
        Check(xs, ys, "Vector512");
    }

    [Fact]
    public void Exp_Vector256_MatchesDoubleExpWithinThreeTenthsOfAMillionth()
    {
        var xs = Inputs();
        var ys = new float[xs.Length];
        for (int i = 0; i < xs.Length; i += 8) VectorExp.Exp(Vector256.Create(xs.AsSpan(i, 8))).CopyTo(ys.AsSpan(i, 8));
        Check(xs, ys, "Vector256");
    }

    /// <summary>The 128-bit version (ARM64 NEON's gate kernels) gives the same values as the 256-bit one, lane for lane.</summary>
    [Fact]
    public void Exp_Vector128_MatchesDoubleExp_AndEqualsVector256()
    {
        var xs = Inputs();
        var ys = new float[xs.Length];
        var wide = new float[xs.Length];
        for (int i = 0; i < xs.Length; i += 4) VectorExp.Exp(Vector128.Create(xs.AsSpan(i, 4))).CopyTo(ys.AsSpan(i, 4));
        for (int i = 0; i < xs.Length; i += 8) VectorExp.Exp(Vector256.Create(xs.AsSpan(i, 8))).CopyTo(wide.AsSpan(i, 8));
        Check(xs, ys, "Vector128");
        Assert.Equal(wide, ys);
    }
}
