using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeqLearn.Benchmarks;

/// <summary>
/// The physical limit of one core: a loop of independent <see cref="Vector512{T}"/> FMAs on 16
/// register-resident accumulators (enough to hide the FMA latency on both FMA pipes), no memory traffic.
/// </summary>
internal static class FmaPeak
{
    /// <summary>Float FLOPs (2 per lane per FMA) done by <see cref="Run"/> for the given iterations.</summary>
    public static double Flops(long iterations) => iterations * 16.0 * Vector512<float>.Count * 2;

    /// <summary>Runs 16 independent FMA chains for <paramref name="iterations"/> steps; returns a value that depends on all of them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Run(long iterations)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x;
        Vector512<float> a8 = x, a9 = x, a10 = x, a11 = x, a12 = x, a13 = x, a14 = x, a15 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            a12 = Vector512.FusedMultiplyAdd(a12, x, y); a13 = Vector512.FusedMultiplyAdd(a13, x, y);
            a14 = Vector512.FusedMultiplyAdd(a14, x, y); a15 = Vector512.FusedMultiplyAdd(a15, x, y);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
        return Vector512.Sum(sum);
    }
}
