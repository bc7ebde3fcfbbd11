using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>
/// One vector path for every kernel at once: the GEMM's tiles (<see cref="Gemm"/>, null = the scalar reference) and
/// the width of the gate kernels and mat-vec products (<see cref="Gates"/>). <see cref="Default"/> is the widest path
/// the CPU accelerates — AVX-512, else AVX2 + FMA, else 128-bit vectors with FMA (ARM64 NEON), else
/// <see cref="Vector{T}"/> without FMA, else scalar — unless the environment variable <c>SEQLEARN_ISA</c> names another
/// (read once, at first use; docs/kernels.md §6).
/// Code that must run a narrower path on wide hardware (tests, the fused layers under test) passes one explicitly.
/// </summary>
internal readonly record struct KernelPath(GemmIsa? Gemm, GateWidth Gates)
{
    /// <summary>The environment variable that overrides <see cref="Default"/>: avx512, avx2, v128 or scalar.</summary>
    public const string Variable = "SEQLEARN_ISA";

    public static KernelPath Avx512 => new(GemmIsa.Avx512, GateWidth.Auto);
    public static KernelPath Avx2 => new(GemmIsa.Avx2, GateWidth.Vector256);
    /// <summary>The ARM64 path: 6 × 16 float tiles of <see cref="Vector128{T}"/>, 128-bit gates and mat-vec. FMA3 on x86.</summary>
    public static KernelPath Vector128 => new(GemmIsa.Vector128, GateWidth.Vector128);
    public static KernelPath Scalar => new(null, GateWidth.Scalar);

    private static readonly KernelPath s_default;
    private static readonly string? s_error;
    private static readonly bool s_forced;
    private static readonly GateWidth s_gates; // s_default.Gates, as a field the JIT folds into the gate kernels' dispatch

    static KernelPath()
    {
        string? name = Environment.GetEnvironmentVariable(Variable);
        (s_default, s_error) = Select(name, new KernelPath(Kernels.Gemm.BestIsa, GateWidth.Auto));
        s_forced = !string.IsNullOrEmpty(name) && s_error is null;
        s_gates = s_default.Gates;
    }

    /// <summary>
    /// The default path given the value of <c>SEQLEARN_ISA</c> (<paramref name="name"/>, null or empty when unset) and the
    /// <paramref name="hardware"/> path: that one when unset, else the named one, or an error naming the variable when the
    /// name is unknown or the CPU does not run the path.
    /// </summary>
    internal static (KernelPath Path, string? Error) Select(string? name, KernelPath hardware)
    {
        if (string.IsNullOrEmpty(name)) return (hardware, null);
        if (!TryParse(name, out var requested)) return (hardware, $"{Variable}={name}: expected one of avx512, avx2, v128 (or neon), scalar.");
        if (!requested.IsSupported)
            return (hardware, $"{Variable}={name}: this CPU does not run that path (the widest it accelerates is {hardware}).");
        return (requested, null);
    }

    /// <summary>The path kernels take when the caller does not name one: the hardware's widest, or <c>SEQLEARN_ISA</c>'s.</summary>
    /// <exception cref="InvalidOperationException"><c>SEQLEARN_ISA</c> is not a known path or not one this CPU runs.</exception>
    public static KernelPath Default => s_error is null ? s_default : throw new InvalidOperationException(s_error);

    /// <summary>What <see cref="GateWidth.Auto"/> means for the gate kernels and mat-vec products (the variable's width when it is set).</summary>
    internal static GateWidth DefaultGates => s_error is null ? s_gates : throw new InvalidOperationException(s_error);

    /// <summary>Parses a <c>SEQLEARN_ISA</c> value (case-insensitive).</summary>
    public static bool TryParse(string name, out KernelPath path)
    {
        path = name.Trim().ToLowerInvariant() switch
        {
            "avx512" => Avx512,
            "avx2" => Avx2,
            "v128" or "vector128" or "neon" => Vector128,
            "scalar" => Scalar,
            _ => new(GemmIsa.Portable, GateWidth.Auto),
        };
        return path.Gemm != GemmIsa.Portable;
    }

    /// <summary>True when this machine accelerates the path (a forced 128-bit path needs FMA3 on x86).</summary>
    public bool IsSupported => Gemm switch
    {
        GemmIsa.Avx512 => Vector512.IsHardwareAccelerated,
        GemmIsa.Avx2 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmIsa.Vector128 => System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && (AdvSimd.Arm64.IsSupported || Fma.IsSupported),
        _ => true,
    };

    /// <summary>The GEMM path for element type <typeparamref name="T"/>: <see cref="Gemm"/> for float and double, else null (the reference loops).</summary>
    public GemmIsa? GemmFor<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double) ? Gemm : null;

    /// <summary>
    /// The int8 mat-vec's kernel (<see cref="MatVecInt8"/>): AVX-VNNI where the CPU has it (64 rows at a time with
    /// AVX-512's 32 registers, else 32), else AVX2's <c>vpmaddwd</c>; on the 128-bit path ARM64's <c>SDOT</c> where the
    /// CPU has it (<see cref="Int8Kernel.SignedDot128"/>); else the scalar loop. With <c>SEQLEARN_ISA</c> set: avx512
    /// and avx2 take the kernel their width allows on this CPU; v128 takes the SDOT kernel, on x86 with the dot product
    /// emulated (<see cref="MatVecInt8Arm"/>), so an x86 run reproduces the ARM64 kernel; scalar takes the scalar loop.
    /// All give bit-identical results.
    /// </summary>
    internal static Int8Kernel DefaultInt8 => Int8For(s_forced ? Default.Gemm : Kernels.Gemm.BestIsa);

    /// <summary>The int8 kernel of a path: see <see cref="DefaultInt8"/>.</summary>
    internal static Int8Kernel Int8For(GemmIsa? isa) => isa switch
    {
        GemmIsa.Avx512 when AvxVnni.IsSupported && Avx512F.IsSupported => Int8Kernel.Vnni64,
        GemmIsa.Avx512 or GemmIsa.Avx2 when AvxVnni.IsSupported => Int8Kernel.Vnni32,
        GemmIsa.Avx512 or GemmIsa.Avx2 when Avx2.IsSupported => Int8Kernel.MultiplyAddAdjacent,
        GemmIsa.Vector128 when MatVecInt8Arm.IsSupported => Int8Kernel.SignedDot128,
        _ => Int8Kernel.Scalar,
    };

    public override string ToString() => Gemm switch
    {
        GemmIsa.Avx512 => "avx512",
        GemmIsa.Avx2 => "avx2",
        GemmIsa.Vector128 => "v128",
        GemmIsa.Portable => "portable",
        _ => "scalar",
    };
}
