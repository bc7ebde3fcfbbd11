using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// Elementwise maps and reductions on spans, span-in / span-out with the destination last, no allocation.
/// The arithmetic is <see cref="TensorPrimitives"/>' (vectorised, tested upstream); this class adds what the
/// engine needs around it: errors that name the kernel and both lengths, empty spans accepted everywhere,
/// and the exact formula in each doc.
/// Destination may alias an input (in-place update), as in TensorPrimitives.
/// </summary>
internal static class Elementwise
{
    /// <summary>dst[i] = x[i] + y[i].</summary>
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Add), x.Length, y.Length, dst.Length);
        TensorPrimitives.Add(x, y, dst);
    }

    /// <summary>dst[i] = x[i] · y[i].</summary>
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Multiply), x.Length, y.Length, dst.Length);
        TensorPrimitives.Multiply(x, y, dst);
    }

    /// <summary>dst[i] = x[i] · y[i] + z[i] (a separate multiply and add, like the composed autograd ops).</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(MultiplyAdd), x.Length, y.Length, dst.Length);
        CheckLengths(nameof(MultiplyAdd), x.Length, z.Length, dst.Length);
        TensorPrimitives.MultiplyAdd(x, y, z, dst);
    }

    /// <summary>dst[i] = tanh(x[i]), the same bits for x[i] whatever the span's length (<see cref="Map{T}"/>).</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Tanh), x.Length, x.Length, dst.Length);
        Map(Function.Tanh, x, dst);
    }

    /// <summary>dst[i] = σ(x[i]) = 1 / (1 + e^(−x[i])), the same bits whatever the span's length.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Sigmoid), x.Length, x.Length, dst.Length);
        Map(Function.Sigmoid, x, dst);
    }

    /// <summary>dst[i] = e^(x[i]), the same bits whatever the span's length.</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Exp), x.Length, x.Length, dst.Length);
        Map(Function.Exp, x, dst);
    }

    /// <summary>dst[i] = ln(x[i]), the same bits whatever the span's length.</summary>
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Log), x.Length, x.Length, dst.Length);
        Map(Function.Log, x, dst);
    }

    private enum Function { Tanh, Sigmoid, Exp, Log }

    /// <summary>
    /// The widest vector <see cref="TensorPrimitives"/> computes with on this machine, in elements of <typeparamref name="T"/>.
    /// </summary>
    private static int VectorWidth<T>() where T : unmanaged =>
        Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256.IsHardwareAccelerated ? Vector256<T>.Count : Vector128.IsHardwareAccelerated ? Vector128<T>.Count : 1;

    /// <summary>
    /// Applies <paramref name="function"/> so that each element's value does not depend on the span's length.
    /// <see cref="TensorPrimitives"/> computes a span shorter than one vector with the scalar <c>Math</c> routines and a
    /// longer one with its vector approximations (every element of it, the last partial vector included), and the two
    /// differ in the last bit for some inputs: a row alone (a short span) and the same row inside a batch (a long one) would
    /// get different values (docs/masking.md). A short span is therefore copied into one vector-long buffer (padded
    /// with ones) and computed there.
    /// </summary>
    private static void Map<T>(Function function, ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.IsEmpty) return;   // TensorPrimitives.Sigmoid rejects empty spans; an empty map is a no-op here
        int width = VectorWidth<T>();
        if (x.Length >= width)
        {
            Apply(function, x, dst);
            return;
        }
        Span<T> buffer = stackalloc T[width];   // at most 16 floats
        buffer.Fill(T.One);
        x.CopyTo(buffer);
        Apply(function, buffer, buffer);
        buffer[..x.Length].CopyTo(dst);
    }

    private static void Apply<T>(Function function, ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (function)
        {
            case Function.Tanh: TensorPrimitives.Tanh(x, dst); break;
            case Function.Sigmoid: TensorPrimitives.Sigmoid(x, dst); break;
            case Function.Exp: TensorPrimitives.Exp(x, dst); break;
            default: TensorPrimitives.Log(x, dst); break;
        }
    }

    /// <summary>Σ_i x[i] (vectorised: the summation order is fixed for a given length and hardware vector width, not sequential).</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => TensorPrimitives.Sum(x);

    private static void CheckLengths(string op, int x, int y, int dst)
    {
        if (x != y || dst != x)
            throw new ArgumentException($"Elementwise.{op}: lengths differ: inputs {x} and {y}, destination {dst}.");
    }
}
