using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: in training, y = x ⊙ m with mᵢ = 1/(1 − p) with probability 1 − p and 0 otherwise, one draw
    /// from <paramref name="rng"/> per element in row-major order (so E[y] = x and the same rng state gives the same
    /// mask). In evaluation (<paramref name="training"/> false) or with p = 0 it returns x itself.
    /// ∂L/∂x = ∂L/∂y ⊙ m.  p must be in [0, 1).
    /// </summary>
    public static Var<T> Dropout<T>(Var<T> x, double p, bool training, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Dropout(x, p, training, rng, pool: null);

    /// <summary>
    /// <see cref="Dropout{T}(Var{T}, double, bool, SeededRng)"/> with the products y = x ⊙ m and ∂x += ∂y ⊙ m on
    /// <paramref name="pool"/> (the mask is drawn on the caller, in order, so the values do not depend on the pool).
    /// </summary>
    public static Var<T> Dropout<T>(Var<T> x, double p, bool training, SeededRng rng, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p = {p} is outside [0, 1).");
        if (!training || p == 0) return x;
        int n = x.Value.Length;
        bool tracks = Node<T>.Tracks(x);
        var m = tracks ? DropoutMask<T>.Rent(n) : new T[n];          // the node gives a rented mask back after backward
        DropoutMask<T>.Draw(m.AsSpan(0, n), p, rng);
        var y = Tensor<T>.UninitializedLike(x.Value);                              // every element written below
        ParallelElementwise.Multiply<T>(x.Value.Span, m.AsSpan(0, n), y.Span, pool);
        return Var<T>.FromOp(y, tracks ? new DropoutNode<T>(x, m, n, pool) : null);
    }
}

/// <summary>Dropout masks: drawing one, and the storage of large ones.</summary>
internal static class DropoutMask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>From this many elements on, a mask is rented from the array pool, as gradient buffers are (docs/autograd.md#pooled-gradients).</summary>
    private const int RentFrom = Tensor<T>.RentFromElements;

    public static T[] Rent(int n) => n >= RentFrom ? ArrayPool<T>.Shared.Rent(n) : new T[n];

    public static void Return(T[] m, int n)
    {
        if (n >= RentFrom) ArrayPool<T>.Shared.Return(m);
    }

    /// <summary>
    /// mᵢ = 1/(1 − p) when uᵢ ≥ p, else 0, with uᵢ = (rᵢ ≫ 11)·2⁻⁵³ the i-th <see cref="SeededRng.NextDouble"/> of
    /// <paramref name="rng"/>. Compared as integers: uᵢ ≥ p ⇔ (rᵢ ≫ 11) ≥ ⌈p·2⁵³⌉ exactly (p·2⁵³ is exact in
    /// double), so the mask is the one the doubles would give, without converting each draw.
    /// </summary>
    public static void Draw(Span<T> m, double p, SeededRng rng)
    {
        ulong threshold = (ulong)Math.Ceiling(p * (1UL << 53));
        T keep = T.CreateTruncating(1.0 / (1.0 - p));
        Span<ulong> r = stackalloc ulong[256];                                    // raw draws, a block at a time
        for (int i0 = 0; i0 < m.Length; i0 += r.Length)
        {
            var block = r[..Math.Min(r.Length, m.Length - i0)];
            rng.NextUInt64s(block);
            var mb = m.Slice(i0, block.Length);
            int k = typeof(T) == typeof(float) ? KeepBits(block, MemoryMarshal.Cast<T, uint>(mb), threshold, BitConverter.SingleToUInt32Bits(float.CreateTruncating(keep)))
                : typeof(T) == typeof(double) ? KeepBits(block, MemoryMarshal.Cast<T, ulong>(mb), threshold, BitConverter.DoubleToUInt64Bits(double.CreateTruncating(keep)))
                : 0;
            for (; k < block.Length; k++) mb[k] = (block[k] >> 11) >= threshold ? keep : T.Zero;
        }
    }

    /// <summary>
    /// The vector body of <see cref="Draw"/> for float: mᵢ's bits are those of 1/(1 − p) where (rᵢ ≫ 11) ≥ threshold and
    /// 0 (+0.0) elsewhere, as a compare mask ANDed with the bits, without a branch per element. Returns how many were done.
    /// </summary>
    private static int KeepBits(ReadOnlySpan<ulong> r, Span<uint> m, ulong threshold, uint keepBits)
    {
        if (!Vector256.IsHardwareAccelerated) return 0;
        var (t, keep) = (Vector256.Create(threshold), Vector256.Create(keepBits));
        int k = 0;
        for (; k + 8 <= r.Length; k += 8)
            (Vector256.Narrow(Kept(r, k, t), Kept(r, k + 4, t)) & keep).StoreUnsafe(ref MemoryMarshal.GetReference(m), (nuint)k);
        return k;
    }

    /// <summary>The vector body of <see cref="Draw"/> for double (see the float overload).</summary>
    private static int KeepBits(ReadOnlySpan<ulong> r, Span<ulong> m, ulong threshold, ulong keepBits)
    {
        if (!Vector256.IsHardwareAccelerated) return 0;
        var (t, keep) = (Vector256.Create(threshold), Vector256.Create(keepBits));
        int k = 0;
        for (; k + 4 <= r.Length; k += 4)
            (Kept(r, k, t) & keep).StoreUnsafe(ref MemoryMarshal.GetReference(m), (nuint)k);
        return k;
    }

    /// <summary>All ones in lane i where (r[k + i] ≫ 11) ≥ t, zero elsewhere (four lanes).</summary>
    private static Vector256<ulong> Kept(ReadOnlySpan<ulong> r, int k, Vector256<ulong> t) =>
        Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(r), (nuint)k) >> 11, t);
}

internal sealed class DropoutNode<T>(Var<T> x, T[] m, int n, WorkerPool? pool) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[]? _m = m;

    protected override void Backward(Tensor<T> gradOutput)
    {
        var mask = _m ?? throw new InvalidOperationException("Dropout: backward ran twice through the same node.");
        var gx = GradOf(x).Span;
        ParallelElementwise.MultiplyAdd<T>(gradOutput.Span, mask.AsSpan(0, n), gx, gx, pool);
        _m = null;
        DropoutMask<T>.Return(mask, n);
    }
}
