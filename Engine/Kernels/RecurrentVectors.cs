using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>Which vector width a recurrent gate kernel uses (tests force each one; callers use <see cref="Auto"/>).</summary>
internal enum GateWidth
{
    /// <summary>The widest the hardware accelerates: 512 bits, else 256, else 128 (ARM64), else scalar (or the width <c>SEQLEARN_ISA</c> names).</summary>
    Auto,
    /// <summary>At most 256-bit vectors.</summary>
    Vector256,
    /// <summary>128-bit vectors only (the ARM64 NEON path, forced on x86 by tests).</summary>
    Vector128,
    /// <summary>One element at a time (σ through <c>T.Exp</c>, tanh through <c>T.Tanh</c>; also the remainder after the vectors).</summary>
    Scalar,
}

/// <summary>
/// The handful of vector operations the gate kernels need, so each kernel body is written once and the JIT
/// specialises it for <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>, <see cref="Vector128{T}"/> and a one-element scalar.
/// The vector types compute σ(x) = 1 / (1 + e^(−x)) and tanh(x) = 1 − 2 / (e^(2x) + 1): both saturate to exact limits
/// (no NaN) for large |x| because e^x overflows to ∞ or underflows to 0. The scalar one uses 1 / (1 + T.Exp(−x)) and T.Tanh.
/// </summary>
internal interface IGateVector<TSelf, T>
    where TSelf : struct, IGateVector<TSelf, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract int Count { get; }
    static abstract TSelf Load(ref T source, int index);
    static abstract void Store(TSelf value, ref T destination, int index);
    static abstract TSelf Splat(T value);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf Sigmoid(TSelf x);
    static abstract TSelf Tanh(TSelf x);
    /// <summary>max(x, 0).</summary>
    static abstract TSelf Relu(TSelf x);
    /// <summary>g where y &gt; 0, else 0 (the ReLU derivative applied to g, given the output y).</summary>
    static abstract TSelf WherePositive(TSelf y, TSelf g);
}

internal readonly struct GateV512<T>(Vector512<T> v) : IGateVector<GateV512<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;
    public static int Count => Vector512<T>.Count;
    public static GateV512<T> Load(ref T source, int index) => new(Vector512.LoadUnsafe(ref source, (nuint)index));
    public static void Store(GateV512<T> value, ref T destination, int index) => value._v.StoreUnsafe(ref destination, (nuint)index);
    public static GateV512<T> Splat(T value) => new(Vector512.Create(value));
    public static GateV512<T> operator +(GateV512<T> a, GateV512<T> b) => new(a._v + b._v);
    public static GateV512<T> operator -(GateV512<T> a, GateV512<T> b) => new(a._v - b._v);
    public static GateV512<T> operator *(GateV512<T> a, GateV512<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV512<T> Sigmoid(GateV512<T> x) => new(Vector512<T>.One / (Vector512<T>.One + Exp(-x._v)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV512<T> Tanh(GateV512<T> x) => new(Vector512<T>.One - Vector512.Create(T.One + T.One) / (Exp(x._v + x._v) + Vector512<T>.One));
    public static GateV512<T> Relu(GateV512<T> x) => new(Vector512.Max(x._v, Vector512<T>.Zero));
    public static GateV512<T> WherePositive(GateV512<T> y, GateV512<T> g) => new(Vector512.ConditionalSelect(Vector512.GreaterThan(y._v, Vector512<T>.Zero), g._v, Vector512<T>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Exp(Vector512<T> x)
    {
        if (typeof(T) == typeof(float)) return VectorExp.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException($"Recurrent gate kernels support float and double, not {typeof(T).Name}.");
    }
}

internal readonly struct GateV256<T>(Vector256<T> v) : IGateVector<GateV256<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;
    public static int Count => Vector256<T>.Count;
    public static GateV256<T> Load(ref T source, int index) => new(Vector256.LoadUnsafe(ref source, (nuint)index));
    public static void Store(GateV256<T> value, ref T destination, int index) => value._v.StoreUnsafe(ref destination, (nuint)index);
    public static GateV256<T> Splat(T value) => new(Vector256.Create(value));
    public static GateV256<T> operator +(GateV256<T> a, GateV256<T> b) => new(a._v + b._v);
    public static GateV256<T> operator -(GateV256<T> a, GateV256<T> b) => new(a._v - b._v);
    public static GateV256<T> operator *(GateV256<T> a, GateV256<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV256<T> Sigmoid(GateV256<T> x) => new(Vector256<T>.One / (Vector256<T>.One + Exp(-x._v)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV256<T> Tanh(GateV256<T> x) => new(Vector256<T>.One - Vector256.Create(T.One + T.One) / (Exp(x._v + x._v) + Vector256<T>.One));
    public static GateV256<T> Relu(GateV256<T> x) => new(Vector256.Max(x._v, Vector256<T>.Zero));
    public static GateV256<T> WherePositive(GateV256<T> y, GateV256<T> g) => new(Vector256.ConditionalSelect(Vector256.GreaterThan(y._v, Vector256<T>.Zero), g._v, Vector256<T>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Exp(Vector256<T> x)
    {
        if (typeof(T) == typeof(float)) return VectorExp.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException($"Recurrent gate kernels support float and double, not {typeof(T).Name}.");
    }
}

internal readonly struct GateV128<T>(Vector128<T> v) : IGateVector<GateV128<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = v;
    public static int Count => Vector128<T>.Count;
    public static GateV128<T> Load(ref T source, int index) => new(Vector128.LoadUnsafe(ref source, (nuint)index));
    public static void Store(GateV128<T> value, ref T destination, int index) => value._v.StoreUnsafe(ref destination, (nuint)index);
    public static GateV128<T> Splat(T value) => new(Vector128.Create(value));
    public static GateV128<T> operator +(GateV128<T> a, GateV128<T> b) => new(a._v + b._v);
    public static GateV128<T> operator -(GateV128<T> a, GateV128<T> b) => new(a._v - b._v);
    public static GateV128<T> operator *(GateV128<T> a, GateV128<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV128<T> Sigmoid(GateV128<T> x) => new(Vector128<T>.One / (Vector128<T>.One + Exp(-x._v)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GateV128<T> Tanh(GateV128<T> x) => new(Vector128<T>.One - Vector128.Create(T.One + T.One) / (Exp(x._v + x._v) + Vector128<T>.One));
    public static GateV128<T> Relu(GateV128<T> x) => new(Vector128.Max(x._v, Vector128<T>.Zero));
    public static GateV128<T> WherePositive(GateV128<T> y, GateV128<T> g) => new(Vector128.ConditionalSelect(Vector128.GreaterThan(y._v, Vector128<T>.Zero), g._v, Vector128<T>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Exp(Vector128<T> x)
    {
        if (typeof(T) == typeof(float)) return VectorExp.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector128.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException($"Recurrent gate kernels support float and double, not {typeof(T).Name}.");
    }
}

/// <summary>One element: the remainder after the vectors (and the whole row in <see cref="GateWidth.Scalar"/>).</summary>
internal readonly struct GateScalar<T>(T v) : IGateVector<GateScalar<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _v = v;
    public static int Count => 1;
    public static GateScalar<T> Load(ref T source, int index) => new(Unsafe.Add(ref source, index));
    public static void Store(GateScalar<T> value, ref T destination, int index) => Unsafe.Add(ref destination, index) = value._v;
    public static GateScalar<T> Splat(T value) => new(value);
    public static GateScalar<T> operator +(GateScalar<T> a, GateScalar<T> b) => new(a._v + b._v);
    public static GateScalar<T> operator -(GateScalar<T> a, GateScalar<T> b) => new(a._v - b._v);
    public static GateScalar<T> operator *(GateScalar<T> a, GateScalar<T> b) => new(a._v * b._v);
    public static GateScalar<T> Sigmoid(GateScalar<T> x) => new(T.One / (T.One + T.Exp(-x._v)));
    public static GateScalar<T> Tanh(GateScalar<T> x) => new(T.Tanh(x._v));
    public static GateScalar<T> Relu(GateScalar<T> x) => new(T.Max(x._v, T.Zero));
    public static GateScalar<T> WherePositive(GateScalar<T> y, GateScalar<T> g) => new(y._v > T.Zero ? g._v : T.Zero);
}

/// <summary>Picks the vector widths for a <see cref="GateWidth"/>.</summary>
internal static class GateDispatch
{
    public static bool Use512<T>(GateWidth width) where T : unmanaged =>
        Resolve(width) == GateWidth.Auto && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    public static bool Use256<T>(GateWidth width) where T : unmanaged =>
        (Resolve(width) is GateWidth.Auto or GateWidth.Vector256) && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    /// <summary>
    /// 128-bit vectors: when asked for, or by default where 256-bit vectors are not accelerated but a 128-bit fused
    /// multiply-add is (ARM64).
    /// </summary>
    public static bool Use128<T>(GateWidth width) where T : unmanaged =>
        (Resolve(width) == GateWidth.Vector128 || Resolve(width) == GateWidth.Auto && !Vector256.IsHardwareAccelerated && Fused128)
        && Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported;

    /// <summary><c>Vector128.FusedMultiplyAdd</c> is one instruction: NEON's FMLA on ARM64, FMA3 on x86 (else it is emulated per lane).</summary>
    public static bool Fused128 => AdvSimd.Arm64.IsSupported || Fma.IsSupported;

    /// <summary><see cref="GateWidth.Auto"/> as <c>SEQLEARN_ISA</c> sets it (<see cref="KernelPath.DefaultGates"/>: Auto when unset); other widths as given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static GateWidth Resolve(GateWidth width) => width == GateWidth.Auto ? KernelPath.DefaultGates : width;

    /// <summary>Throws unless <paramref name="length"/> equals <paramref name="expected"/>, naming the kernel and argument.</summary>
    public static void Require(int length, int expected, string kernel, string name)
    {
        if (length != expected)
            throw new ArgumentException($"{kernel}: '{name}' has {length} elements, expected {expected}.");
    }
}
