using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// <see cref="MatVecBf16.MultiplyTransposed(ReadOnlySpan{uint}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, GateWidth)"/>
/// on 256- and 128-bit vectors (AVX2 machines and ARM64 NEON; tests force both here). Per k, a block of 32 rows is 16
/// words, word j holding rows j (low half) and j + 16 (high half): a vector of words gives its low rows by <c>&lt;&lt; 16</c> and
/// its high rows by <c>&amp; 0xFFFF0000</c>. Every output is one fused multiply-add chain in order of k, so the result equals the
/// 512-bit and scalar paths' bit for bit. Rows past the last whole block go through a 32-float <c>tail</c>.
/// </summary>
internal static class MatVecBf16Narrow
{
    private const int Block = 32;

    /// <summary>Outputs [r, rows) (r a multiple of 32) with 256-bit vectors, two blocks (eight accumulators) at a time; returns rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Transposed256(ref uint wt, ref float x, Span<float> y, Span<float> tail, int r, int half, int cols)
    {
        int rows = y.Length;
        var mask = Vector256.Create(0xFFFF0000u);
        for (; r + 2 * Block <= rows; r += 2 * Block)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            ref uint w = ref Unsafe.Add(ref wt, r / 2);
            for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, half))
            {
                var xk = Vector256.Create(Unsafe.Add(ref x, k));
                Vector256<uint> p0 = Vector256.LoadUnsafe(ref w, 0), p1 = Vector256.LoadUnsafe(ref w, 8);
                Vector256<uint> p2 = Vector256.LoadUnsafe(ref w, 16), p3 = Vector256.LoadUnsafe(ref w, 24);
                a0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p0, 16).AsSingle(), xk, a0);   // rows 0–7
                a1 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p1, 16).AsSingle(), xk, a1);   // rows 8–15
                a2 = Vector256.FusedMultiplyAdd((p0 & mask).AsSingle(), xk, a2);                   // rows 16–23
                a3 = Vector256.FusedMultiplyAdd((p1 & mask).AsSingle(), xk, a3);                   // rows 24–31
                a4 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p2, 16).AsSingle(), xk, a4);   // next block
                a5 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p3, 16).AsSingle(), xk, a5);
                a6 = Vector256.FusedMultiplyAdd((p2 & mask).AsSingle(), xk, a6);
                a7 = Vector256.FusedMultiplyAdd((p3 & mask).AsSingle(), xk, a7);
            }
            ref float o = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), r);
            a0.StoreUnsafe(ref o, 0); a1.StoreUnsafe(ref o, 8); a2.StoreUnsafe(ref o, 16); a3.StoreUnsafe(ref o, 24);
            a4.StoreUnsafe(ref o, 32); a5.StoreUnsafe(ref o, 40); a6.StoreUnsafe(ref o, 48); a7.StoreUnsafe(ref o, 56);
        }
        for (; r < rows; r += Block)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            ref uint w = ref Unsafe.Add(ref wt, r / 2);
            for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, half))
            {
                var xk = Vector256.Create(Unsafe.Add(ref x, k));
                Vector256<uint> p0 = Vector256.LoadUnsafe(ref w, 0), p1 = Vector256.LoadUnsafe(ref w, 8);
                a0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p0, 16).AsSingle(), xk, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(p1, 16).AsSingle(), xk, a1);
                a2 = Vector256.FusedMultiplyAdd((p0 & mask).AsSingle(), xk, a2);
                a3 = Vector256.FusedMultiplyAdd((p1 & mask).AsSingle(), xk, a3);
            }
            bool whole = r + Block <= rows;
            ref float o = ref whole ? ref Unsafe.Add(ref MemoryMarshal.GetReference(y), r) : ref MemoryMarshal.GetReference(tail);
            a0.StoreUnsafe(ref o, 0); a1.StoreUnsafe(ref o, 8); a2.StoreUnsafe(ref o, 16); a3.StoreUnsafe(ref o, 24);
            if (!whole) tail[..(rows - r)].CopyTo(y[r..]);
        }
        return rows;
    }

    /// <summary>Outputs [r, rows) (r a multiple of 32) with 128-bit vectors, one block (eight accumulators) at a time; returns rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Transposed128(ref uint wt, ref float x, Span<float> y, Span<float> tail, int r, int half, int cols)
    {
        int rows = y.Length;
        var mask = Vector128.Create(0xFFFF0000u);
        for (; r < rows; r += Block)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            ref uint w = ref Unsafe.Add(ref wt, r / 2);
            for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, half))
            {
                var xk = Vector128.Create(Unsafe.Add(ref x, k));
                Vector128<uint> p0 = Vector128.LoadUnsafe(ref w, 0), p1 = Vector128.LoadUnsafe(ref w, 4);
                Vector128<uint> p2 = Vector128.LoadUnsafe(ref w, 8), p3 = Vector128.LoadUnsafe(ref w, 12);
                a0 = Vector128.FusedMultiplyAdd(Vector128.ShiftLeft(p0, 16).AsSingle(), xk, a0);   // rows 0–3
                a1 = Vector128.FusedMultiplyAdd(Vector128.ShiftLeft(p1, 16).AsSingle(), xk, a1);   // rows 4–7
                a2 = Vector128.FusedMultiplyAdd(Vector128.ShiftLeft(p2, 16).AsSingle(), xk, a2);   // rows 8–11
                a3 = Vector128.FusedMultiplyAdd(Vector128.ShiftLeft(p3, 16).AsSingle(), xk, a3);   // rows 12–15
                a4 = Vector128.FusedMultiplyAdd((p0 & mask).AsSingle(), xk, a4);                   // rows 16–19
                a5 = Vector128.FusedMultiplyAdd((p1 & mask).AsSingle(), xk, a5);
                a6 = Vector128.FusedMultiplyAdd((p2 & mask).AsSingle(), xk, a6);
                a7 = Vector128.FusedMultiplyAdd((p3 & mask).AsSingle(), xk, a7);                   // rows 28–31
            }
            bool whole = r + Block <= rows;
            ref float o = ref whole ? ref Unsafe.Add(ref MemoryMarshal.GetReference(y), r) : ref MemoryMarshal.GetReference(tail);
            a0.StoreUnsafe(ref o, 0); a1.StoreUnsafe(ref o, 4); a2.StoreUnsafe(ref o, 8); a3.StoreUnsafe(ref o, 12);
            a4.StoreUnsafe(ref o, 16); a5.StoreUnsafe(ref o, 20); a6.StoreUnsafe(ref o, 24); a7.StoreUnsafe(ref o, 28);
            if (!whole) tail[..(rows - r)].CopyTo(y[r..]);
        }
        return rows;
    }
}
