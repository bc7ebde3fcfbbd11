using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SeqLearn.Kernels;

namespace SeqLearn.Benchmarks;

/// <summary>
/// The physical limit of one core: a loop of 12 independent FMA chains on register-resident accumulators (enough to
/// hide the FMA latency on both FMA pipes; with the two operands 14 registers, so the AVX2 path's 16 suffice), no
/// memory traffic, on the vector the GEMM runs on (<see cref="KernelPath.Default"/>: the widest here unless
/// <c>SEQLEARN_ISA</c> names a narrower path): <see cref="Vector512{T}"/> on the AVX-512 path, <see cref="Vector256{T}"/>
/// on the AVX2 path, <see cref="Vector128{T}"/> on the 128-bit path.
/// </summary>
internal static class FmaPeak
{
    private const int Chains = 12;

    /// <summary>The vector the loop runs on (null when the GEMM has no FMA vector path) and its float lanes.</summary>
    public static (string? Width, int Lanes) Shape => ShapeOf(KernelPath.Default.Gemm);

    /// <summary>The vector of the GEMM path <paramref name="isa"/> and its float lanes; null for a path without FMA.</summary>
    internal static (string? Width, int Lanes) ShapeOf(GemmIsa? isa) => isa switch
    {
        GemmIsa.Avx512 => ("Vector512", Vector512<float>.Count),
        GemmIsa.Avx2 => ("Vector256", Vector256<float>.Count),
        GemmIsa.Vector128 => ("Vector128", Vector128<float>.Count),
        _ => (null, 0),
    };

    /// <summary>What <see cref="Run"/> measures, for the report line.</summary>
    public static string Describe => $"{Chains} independent {Shape.Width} FMA chains";

    /// <summary>Float FLOPs (2 per lane per FMA) done by <see cref="Run"/> for the given iterations.</summary>
    public static double Flops(long iterations) => iterations * (double)Chains * Shape.Lanes * 2;

    /// <summary>Runs the FMA chains for <paramref name="iterations"/> steps; returns a value that depends on all of them.</summary>
    public static float Run(long iterations) => Run(KernelPath.Default.Gemm, iterations);

    /// <summary><see cref="Run(long)"/> on the vector of the GEMM path <paramref name="isa"/> (<see cref="ShapeOf"/>).</summary>
    internal static float Run(GemmIsa? isa, long iterations) => isa switch
    {
        GemmIsa.Avx512 => Run<Vector512<float>, Simd512<float>>(iterations),
        GemmIsa.Avx2 => Run<Vector256<float>, Simd256<float>>(iterations),
        GemmIsa.Vector128 => Run<Vector128<float>, Simd128<float>>(iterations),
        _ => throw new InvalidOperationException($"FMA peak: the GEMM path {isa?.ToString() ?? "scalar"} has no FMA vector loop."),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe float Run<TVec, TSimd>(long iterations)
        where TVec : struct
        where TSimd : IGemmSimd<float, TVec>
    {
        var x = TSimd.Splat(0.999999f);
        var y = TSimd.Splat(1e-7f);
        TVec a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = TSimd.MultiplyAdd(a0, x, y); a1 = TSimd.MultiplyAdd(a1, x, y); a2 = TSimd.MultiplyAdd(a2, x, y);
            a3 = TSimd.MultiplyAdd(a3, x, y); a4 = TSimd.MultiplyAdd(a4, x, y); a5 = TSimd.MultiplyAdd(a5, x, y);
            a6 = TSimd.MultiplyAdd(a6, x, y); a7 = TSimd.MultiplyAdd(a7, x, y); a8 = TSimd.MultiplyAdd(a8, x, y);
            a9 = TSimd.MultiplyAdd(a9, x, y); a10 = TSimd.MultiplyAdd(a10, x, y); a11 = TSimd.MultiplyAdd(a11, x, y);
        }
        var sum = TSimd.Add(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)), TSimd.Add(TSimd.Add(a4, a5), TSimd.Add(a6, a7)));
        sum = TSimd.Add(sum, TSimd.Add(TSimd.Add(a8, a9), TSimd.Add(a10, a11)));
        float* lanes = stackalloc float[16];
        TSimd.Store(lanes, sum);
        float total = 0;
        for (int l = 0; l < TSimd.Lanes; l++) total += lanes[l];
        return total;
    }
}
