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

    /// <summary>dst[i] = tanh(x[i]).</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Tanh), x.Length, x.Length, dst.Length);
        TensorPrimitives.Tanh(x, dst);
    }

    /// <summary>dst[i] = σ(x[i]) = 1 / (1 + e^(−x[i])).</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Sigmoid), x.Length, x.Length, dst.Length);
        if (x.IsEmpty) return; // TensorPrimitives.Sigmoid rejects empty spans; an empty map is a no-op here
        TensorPrimitives.Sigmoid(x, dst);
    }

    /// <summary>dst[i] = e^(x[i]).</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLengths(nameof(Exp), x.Length, x.Length, dst.Length);
        TensorPrimitives.Exp(x, dst);
    }

    /// <summary>Σ_i x[i] (vectorised: the summation order is fixed for a given length and hardware vector width, not sequential).</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => TensorPrimitives.Sum(x);

    private static void CheckLengths(string op, int x, int y, int dst)
    {
        if (x != y || dst != x)
            throw new ArgumentException($"Elementwise.{op}: lengths differ: inputs {x} and {y}, destination {dst}.");
    }
}
