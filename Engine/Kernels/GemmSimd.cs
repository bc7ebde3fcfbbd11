using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// The handful of vector operations the GEMM micro-kernel needs, abstracted over the register width so
/// the kernel is written once. Implementations are structs with static members: the JIT specialises the
/// kernel per implementation and inlines every call, so the abstraction costs nothing at run time.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TVec">The hardware vector type (e.g. <see cref="Vector512{T}"/>).</typeparam>
internal unsafe interface IGemmSimd<T, TVec>
    where T : unmanaged
    where TVec : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>
    /// Vectors per row of the micro-tile: NR = TileVectors · Lanes. Two for the 512-bit, 256-bit and Vector&lt;T&gt; paths (6 × 2 = 12
    /// accumulators), four for the 128-bit path (6 × 4 = 24 of NEON's 32 registers, <see cref="Gemm.MicroKernelWide"/>).
    /// </summary>
    static abstract int TileVectors { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Load(T* p);

    static abstract void Store(T* p, TVec v);

    /// <summary>All lanes set to <c>*p</c> (one <c>vbroadcastss</c> from memory on x86, shared by the tile row's FMAs).</summary>
    static abstract TVec Broadcast(T* p);

    static abstract TVec Splat(T x);

    /// <summary><c>a·b + c</c>, fused (one rounding) where the hardware allows.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Add(TVec a, TVec b);

    /// <summary>The sum of the lanes (a fixed pairwise order).</summary>
    static abstract T Sum(TVec v);
}

/// <summary>AVX-512: 32 registers of 16 floats / 8 doubles; fused multiply-add.</summary>
internal readonly unsafe struct Simd512<T> : IGemmSimd<T, Vector512<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Lanes => Vector512<T>.Count;
    public static int TileVectors => 2;
    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(T* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector512<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T* p) => Vector512.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Splat(T x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> v) => Vector512.Sum(v);
}

/// <summary>AVX2 + FMA: 16 registers of 8 floats / 4 doubles.</summary>
internal readonly unsafe struct Simd256<T> : IGemmSimd<T, Vector256<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Lanes => Vector256<T>.Count;
    public static int TileVectors => 2;
    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(T* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector256<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T* p) => Vector256.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Splat(T x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> v) => Vector256.Sum(v);
}

/// <summary>
/// 128-bit vectors with fused multiply-add: ARM64's NEON (32 registers of 4 floats / 2 doubles, <c>FMLA</c>), the
/// path chosen where neither 512- nor 256-bit vectors are accelerated. <see cref="Vector128.FusedMultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/>
/// is FMA3 on x86, so the same code runs (and is tested) on this machine by asking for <see cref="GemmIsa.Vector128"/>.
/// </summary>
internal readonly unsafe struct Simd128<T> : IGemmSimd<T, Vector128<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Lanes => Vector128<T>.Count;
    public static int TileVectors => 4;
    public static Vector128<T> Zero => Vector128<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(T* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector128<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Broadcast(T* p) => Vector128.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Splat(T x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector128<T> v) => Vector128.Sum(v);
}

/// <summary>
/// Portable fallback on <see cref="Vector{T}"/>, where no FMA path applies (e.g. x86 without FMA3; ARM64 takes
/// <see cref="Simd128{T}"/>). Multiply and add are separate here: without a hardware FMA a fused operation would be
/// emulated one lane at a time.
/// </summary>
internal readonly unsafe struct SimdPortable<T> : IGemmSimd<T, Vector<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Lanes => Vector<T>.Count;
    public static int TileVectors => 2;
    public static Vector<T> Zero => Vector<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load(T* p) => Vector.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Broadcast(T* p) => new(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Splat(T x) => new(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> MultiplyAdd(Vector<T> a, Vector<T> b, Vector<T> c) => a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Multiply(Vector<T> a, Vector<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Add(Vector<T> a, Vector<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector<T> v) => Vector.Sum(v);
}
