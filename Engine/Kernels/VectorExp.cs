using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// e^x on float lanes computed in float, for the gate kernels' σ and tanh (docs/kernels.md §7.1).
/// <c>Vector512.Exp(float)</c> widens every lane to double and narrows back and is too large for the JIT to inline, so
/// every σ and tanh is a call that spills the live vector registers: one LSTM step's gates (32 rows, H = 256, Zen 4)
/// take 53–55 µs with it and 23–25 µs with this one.
/// </summary>
/// <remarks>
/// With k = round(x·log₂e) and r = x − k·ln 2 (ln 2 split into a high part exact in float and a low part, so r is
/// exact to rounding), e^x = 2^k · e^r, |r| ≤ ln 2 / 2, and e^r is its Taylor polynomial to r⁶ (truncation error
/// below 0.35⁷/7! ≈ 1.2·10⁻⁷, about one float ulp). 2^k is built in the exponent bits. Inputs above
/// <see cref="Hi"/> give +∞ and inputs below <see cref="Lo"/> give 0 (no subnormal results), so σ and tanh still
/// saturate to exactly 0, ±1; NaN stays NaN.
/// </remarks>
internal static class VectorExp
{
    /// <summary>Largest input with a finite result here: 2^127 · e^r stays below float's maximum.</summary>
    internal const float Hi = 88.37626f;
    /// <summary>Smallest input with a normal result: e^Lo ≈ 2⁻¹²⁶.</summary>
    internal const float Lo = -87.33654f;
    private const float Log2E = 1.44269504f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(Lo)), Vector512.Create(Hi));
        var k = Vector512.Round(xc * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C6), r, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var twoK = Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();
        var e = p * twoK;
        e = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Hi)), Vector512.Create(float.PositiveInfinity), e);
        e = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Lo)), Vector512<float>.Zero, e);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), e, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(Lo)), Vector256.Create(Hi));
        var k = Vector256.Round(xc * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C6), r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var twoK = Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
        var e = p * twoK;
        e = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Hi)), Vector256.Create(float.PositiveInfinity), e);
        e = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Lo)), Vector256<float>.Zero, e);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), e, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var xc = Vector128.Min(Vector128.Max(x, Vector128.Create(Lo)), Vector128.Create(Hi));
        var k = Vector128.Round(xc * Vector128.Create(Log2E));
        var r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2Hi), xc);
        r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2Lo), r);
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(C6), r, Vector128.Create(C5));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128<float>.One);
        p = Vector128.FusedMultiplyAdd(p, r, Vector128<float>.One);
        var twoK = Vector128.ShiftLeft(Vector128.ConvertToInt32(k) + Vector128.Create(127), 23).AsSingle();
        var e = p * twoK;
        e = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(Hi)), Vector128.Create(float.PositiveInfinity), e);
        e = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(Lo)), Vector128<float>.Zero, e);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), e, x);
    }
}
