using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>
/// The vector bodies of <see cref="MatVecInt8"/>: x quantised to 16 bits, then integer dot products over blocks of 32
/// packed rows. Each kernel leaves an exact sum per row: in int32 when x has at most <see cref="ChunkGroups"/> groups of
/// 4 k (256 columns), else in float64 (int32 partial sums converted every <see cref="ChunkGroups"/> groups, before a
/// lane could overflow); <see cref="MatVecInt8"/> scales. The ARM64 body is <see cref="MatVecInt8Arm"/>.
/// <para>
/// AVX-VNNI (<c>vpdpbusd</c>, unsigned bytes × signed bytes, four products added into each int32 lane) needs an
/// unsigned input, so x̂ + 32768 ∈ [1, 65535] is split into a high and a low byte u_h, u_l and each row sums twice:
/// H_r = Σ_k q[r, k]·u_h,k, L_r = Σ_k q[r, k]·u_l,k, Σ_k q x̂ = 256·H_r + L_r − 32768·Σ_k q[r, k]. Per group of 4 k
/// one broadcast of u_h and of u_l serves every row; one 32-byte load of q (8 rows × 4 k) feeds two instructions:
/// 16 multiply-adds each, against 16 per three instructions (sign-extend, convert, FMA) of the float kernel.
/// </para>
/// </summary>
internal static class MatVecInt8Kernels
{
    /// <summary>Groups of 4 k summed in int32 before converting: |q·u| ≤ 127·255, 4·64 of them per lane ≤ 8.3 M.</summary>
    public const int ChunkGroups = 64;

    private const int Block = MatVecInt8.Block;
    private const int BlockGroupBytes = Block * MatVecInt8.Group;   // 128: one group of 4 k of a block's 32 rows

    /// <summary>x̂ = <see cref="MatVecInt8.QuantizeInput"/>(x_k, δ) as u = x̂ + 32768, split into <paramref name="hi"/> = u ≫ 8 and <paramref name="lo"/> = u mod 256 (zero past x).</summary>
    public static void SplitInput(ReadOnlySpan<float> x, float delta, Span<byte> hi, Span<byte> lo)
    {
        int cols = x.Length, k = 0;
        if (delta != 0)
        {
            var deltaV = Vector256.Create(delta);
            var offset = Vector256.Create(32768);
            var low = Vector256.Create(255);
            for (; k + 32 <= cols; k += 32)
            {
                var u0 = Quantize8(x, k, deltaV) + offset; var u1 = Quantize8(x, k + 8, deltaV) + offset;
                var u2 = Quantize8(x, k + 16, deltaV) + offset; var u3 = Quantize8(x, k + 24, deltaV) + offset;
                Bytes(u0 >>> 8, u1 >>> 8, u2 >>> 8, u3 >>> 8).StoreUnsafe(ref MemoryMarshal.GetReference(hi), (nuint)k);
                Bytes(u0 & low, u1 & low, u2 & low, u3 & low).StoreUnsafe(ref MemoryMarshal.GetReference(lo), (nuint)k);
            }
        }
        for (; k < cols; k++)
        {
            int u = MatVecInt8.QuantizeInput(x[k], delta) + 32768;
            hi[k] = (byte)(u >> 8);
            lo[k] = (byte)u;
        }
        hi[cols..].Clear();
        lo[cols..].Clear();
    }

    /// <summary>x̂ = <see cref="MatVecInt8.QuantizeInput"/>(x_k, δ) as 16-bit integers (zero past x).</summary>
    public static void QuantizeInput(ReadOnlySpan<float> x, float delta, Span<short> xq)
    {
        int cols = x.Length, k = 0;
        if (delta != 0 && Vector256.IsHardwareAccelerated)   // the scalar kernel's input on ARM64 too: no emulated vectors
        {
            var deltaV = Vector256.Create(delta);
            for (; k + 16 <= cols; k += 16)
                Vector256.Narrow(Quantize8(x, k, deltaV), Quantize8(x, k + 8, deltaV)).StoreUnsafe(ref MemoryMarshal.GetReference(xq), (nuint)k);
        }
        for (; k < cols; k++) xq[k] = (short)MatVecInt8.QuantizeInput(x[k], delta);
        xq[cols..].Clear();
    }

    /// <summary>Eight x̂: round(x / δ) half to even, clamped to ±32767, as the scalar <see cref="MatVecInt8.QuantizeInput"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize8(ReadOnlySpan<float> x, int k, Vector256<float> delta)
    {
        var v = Vector256.Round(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)k) / delta);
        return Vector256.ConvertToInt32(Vector256.Clamp(v, Vector256.Create(-(float)MatVecInt8.InputRange), Vector256.Create((float)MatVecInt8.InputRange)));
    }

    /// <summary>32 values in [0, 255] (four vectors of int32) → 32 bytes, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Bytes(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) =>
        Vector256.Narrow(Vector256.Narrow(a.AsUInt32(), b.AsUInt32()), Vector256.Narrow(c.AsUInt32(), d.AsUInt32()));

    /// <summary>
    /// V_r = Σ_k q[r, k]·(x̂_k + 32768) for the 32 rows of one packed block (<paramref name="q"/>: 32 · K4 bytes): into
    /// exact[0..32] as 256·H + L modulo 2³² when there is one chunk, else into sums[0..32]. 8 accumulators: fits the 16
    /// vector registers of a machine without AVX-512.
    /// </summary>
    public static void Vnni32(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> hi, ReadOnlySpan<byte> lo, Span<int> exact, Span<double> sums) =>
        Vnni<OneBlock>(q, hi, lo, exact, sums);

    /// <summary>As <see cref="Vnni32"/> for two consecutive blocks (64 rows, <paramref name="q"/>: 64 · K4 bytes) into exact[0..64] or sums[0..64]: 16 accumulators (AVX-512's 32 registers).</summary>
    public static void Vnni64(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> hi, ReadOnlySpan<byte> lo, Span<int> exact, Span<double> sums) =>
        Vnni<TwoBlocks>(q, hi, lo, exact, sums);

    /// <summary>How many packed blocks one <see cref="Vnni{TBlocks}"/> call sums: a constant of each instantiation, so the JIT drops the second block's code from the one-block kernel.</summary>
    private interface IBlocks { static abstract bool Two { get; } }
    private struct OneBlock : IBlocks { public static bool Two => false; }
    private struct TwoBlocks : IBlocks { public static bool Two => true; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vnni<TBlocks>(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> hi, ReadOnlySpan<byte> lo, Span<int> exact, Span<double> sums)
        where TBlocks : struct, IBlocks
    {
        int groups = hi.Length / MatVecInt8.Group;
        ref sbyte rq = ref MemoryMarshal.GetReference(q);
        ref sbyte rq2 = ref TBlocks.Two ? ref Unsafe.Add(ref rq, (nint)groups * BlockGroupBytes) : ref rq;
        ref byte rh = ref MemoryMarshal.GetReference(hi), rl = ref MemoryMarshal.GetReference(lo);
        bool oneChunk = groups <= ChunkGroups;
        if (!oneChunk) sums[..(TBlocks.Two ? 2 * Block : Block)].Clear();
        for (int g0 = 0; g0 < groups; g0 += ChunkGroups)
        {
            int g1 = Math.Min(groups, g0 + ChunkGroups);
            Vector256<int> h0 = default, h1 = default, h2 = default, h3 = default, h4 = default, h5 = default, h6 = default, h7 = default;
            Vector256<int> l0 = default, l1 = default, l2 = default, l3 = default, l4 = default, l5 = default, l6 = default, l7 = default;
            for (int g = g0; g < g1; g++)
            {
                var uh = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref rh, 4 * g))).AsByte();
                var ul = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref rl, 4 * g))).AsByte();
                ref sbyte w = ref Unsafe.Add(ref rq, (nint)g * BlockGroupBytes);
                var w0 = Vector256.LoadUnsafe(ref w, 0); var w1 = Vector256.LoadUnsafe(ref w, 32);
                var w2 = Vector256.LoadUnsafe(ref w, 64); var w3 = Vector256.LoadUnsafe(ref w, 96);
                h0 = AvxVnni.MultiplyWideningAndAdd(h0, uh, w0); l0 = AvxVnni.MultiplyWideningAndAdd(l0, ul, w0);
                h1 = AvxVnni.MultiplyWideningAndAdd(h1, uh, w1); l1 = AvxVnni.MultiplyWideningAndAdd(l1, ul, w1);
                h2 = AvxVnni.MultiplyWideningAndAdd(h2, uh, w2); l2 = AvxVnni.MultiplyWideningAndAdd(l2, ul, w2);
                h3 = AvxVnni.MultiplyWideningAndAdd(h3, uh, w3); l3 = AvxVnni.MultiplyWideningAndAdd(l3, ul, w3);
                if (TBlocks.Two)
                {
                    ref sbyte v = ref Unsafe.Add(ref rq2, (nint)g * BlockGroupBytes);
                    var w4 = Vector256.LoadUnsafe(ref v, 0); var w5 = Vector256.LoadUnsafe(ref v, 32);
                    var w6 = Vector256.LoadUnsafe(ref v, 64); var w7 = Vector256.LoadUnsafe(ref v, 96);
                    h4 = AvxVnni.MultiplyWideningAndAdd(h4, uh, w4); l4 = AvxVnni.MultiplyWideningAndAdd(l4, ul, w4);
                    h5 = AvxVnni.MultiplyWideningAndAdd(h5, uh, w5); l5 = AvxVnni.MultiplyWideningAndAdd(l5, ul, w5);
                    h6 = AvxVnni.MultiplyWideningAndAdd(h6, uh, w6); l6 = AvxVnni.MultiplyWideningAndAdd(l6, ul, w6);
                    h7 = AvxVnni.MultiplyWideningAndAdd(h7, uh, w7); l7 = AvxVnni.MultiplyWideningAndAdd(l7, ul, w7);
                }
            }
            if (oneChunk)
            {
                Store(exact, 0, h0, l0); Store(exact, 8, h1, l1); Store(exact, 16, h2, l2); Store(exact, 24, h3, l3);
                if (TBlocks.Two) { Store(exact, 32, h4, l4); Store(exact, 40, h5, l5); Store(exact, 48, h6, l6); Store(exact, 56, h7, l7); }
                return;
            }
            Add(sums, 0, h0, l0); Add(sums, 8, h1, l1); Add(sums, 16, h2, l2); Add(sums, 24, h3, l3);
            if (TBlocks.Two) { Add(sums, 32, h4, l4); Add(sums, 40, h5, l5); Add(sums, 48, h6, l6); Add(sums, 56, h7, l7); }
        }
    }

    /// <summary>exact[at..at+8] = 256·H + L modulo 2³² (exact for one chunk: |256·H + L| &lt; 2³¹).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<int> exact, int at, Vector256<int> h, Vector256<int> l) =>
        ((h << 8) + l).StoreUnsafe(ref MemoryMarshal.GetReference(exact), (nuint)at);

    /// <summary>sums[at..at+8] += 256·H + L, exactly (|256·H + L| &lt; 2³¹ per chunk; the totals stay below 2⁵³).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<double> sums, int at, Vector256<int> h, Vector256<int> l)
    {
        ref double s = ref Unsafe.Add(ref MemoryMarshal.GetReference(sums), at);
        var scale = Vector256.Create(256.0);
        var lower = Vector256.LoadUnsafe(ref s) + (Avx.ConvertToVector256Double(h.GetLower()) * scale + Avx.ConvertToVector256Double(l.GetLower()));
        var upper = Vector256.LoadUnsafe(ref s, 4) + (Avx.ConvertToVector256Double(h.GetUpper()) * scale + Avx.ConvertToVector256Double(l.GetUpper()));
        lower.StoreUnsafe(ref s);
        upper.StoreUnsafe(ref s, 4);
    }

    /// <summary>
    /// Σ_k q[r, k]·x̂_k for the 32 rows of one packed block on AVX2 without VNNI: per group of 4 k, 16 bytes (4 rows ×
    /// 4 k) sign-extended to 16-bit and <c>vpmaddwd</c> against x̂ (each int32 lane adds two products, ≤ 8.3 M).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAddAdjacent32(ReadOnlySpan<sbyte> q, ReadOnlySpan<short> xq, Span<double> sums)
    {
        int groups = xq.Length / MatVecInt8.Group;
        ref sbyte rq = ref MemoryMarshal.GetReference(q);
        ref short rx = ref MemoryMarshal.GetReference(xq);
        Span<int> lanes = stackalloc int[2 * Block];
        sums[..Block].Clear();
        for (int g0 = 0; g0 < groups; g0 += ChunkGroups)
        {
            int g1 = Math.Min(groups, g0 + ChunkGroups);
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int g = g0; g < g1; g++)
            {
                var x4 = Vector256.Create(Unsafe.ReadUnaligned<long>(ref Unsafe.As<short, byte>(ref Unsafe.Add(ref rx, 4 * g)))).AsInt16();
                ref sbyte w = ref Unsafe.Add(ref rq, (nint)g * BlockGroupBytes);
                a0 += Avx2.MultiplyAddAdjacent(Widen(ref w, 0), x4); a1 += Avx2.MultiplyAddAdjacent(Widen(ref w, 16), x4);
                a2 += Avx2.MultiplyAddAdjacent(Widen(ref w, 32), x4); a3 += Avx2.MultiplyAddAdjacent(Widen(ref w, 48), x4);
                a4 += Avx2.MultiplyAddAdjacent(Widen(ref w, 64), x4); a5 += Avx2.MultiplyAddAdjacent(Widen(ref w, 80), x4);
                a6 += Avx2.MultiplyAddAdjacent(Widen(ref w, 96), x4); a7 += Avx2.MultiplyAddAdjacent(Widen(ref w, 112), x4);
            }
            ref int rl = ref MemoryMarshal.GetReference(lanes);   // lane 2i and 2i + 1 belong to row i
            a0.StoreUnsafe(ref rl, 0); a1.StoreUnsafe(ref rl, 8); a2.StoreUnsafe(ref rl, 16); a3.StoreUnsafe(ref rl, 24);
            a4.StoreUnsafe(ref rl, 32); a5.StoreUnsafe(ref rl, 40); a6.StoreUnsafe(ref rl, 48); a7.StoreUnsafe(ref rl, 56);
            for (int i = 0; i < Block; i++) sums[i] += (long)lanes[2 * i] + lanes[2 * i + 1];
        }
    }

    /// <summary>16 bytes at w + offset (4 rows × 4 k) → 16 int16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Widen(ref sbyte w, nint offset) => Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref Unsafe.Add(ref w, offset)));
}
