using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>
/// The ARM64 body of <see cref="MatVecInt8"/> on 128-bit vectors, built on the NEON dot product <c>SDOT</c>
/// (<see cref="Dp.DotProduct(Vector128{int}, Vector128{sbyte}, Vector128{sbyte})"/>: signed bytes × signed bytes, the
/// four products of each 32-bit lane added into that int32 lane). x̂ ∈ [−32767, 32767] is split into two signed
/// bytes, s_h = x̂ ≫ 8 (arithmetic) and s_l = (x̂ mod 256) − 128, so that x̂ = 256·s_h + s_l + 128, and each row sums
/// twice:
/// <code>
/// H'_r = Σ_k q[r, k]·s_h,k      L'_r = Σ_k q[r, k]·s_l,k      S_r = Σ_k q[r, k]·x̂_k = 256·H'_r + L'_r + 128·Σ_k q[r, k]
/// </code>
/// (these are the bytes u_h, u_l of the AVX-VNNI kernel with their top bit flipped: s = u − 128). Per group of 4 k one
/// broadcast of s_h and one of s_l serve every row; each 16-byte load of q (4 rows × 4 k of the packed layout) feeds
/// two dot products. One block of 32 rows at a time: 16 accumulators, 8 weight vectors and 2 inputs, 26 live vectors
/// for NEON's 32 registers. |q·s| ≤ 127·128 and a lane adds 4·<see cref="MatVecInt8Kernels.ChunkGroups"/> = 256 of
/// them per chunk, so |H'|, |L'| ≤ 4.2·10⁶ and |256·H' + L'| ≤ 1.07·10⁹ &lt; 2³¹: exact in int32 per chunk, then
/// carried in float64.
/// <para>
/// The dot product is a type parameter (<see cref="ISignedDot"/>): <see cref="Sdot"/> on ARM64, and on x86, where the
/// 128-bit path (<see cref="KernelPath.Vector128"/>) is forced by the tests or <c>SEQLEARN_ISA=v128</c>, or is the
/// widest the runtime accelerates (<c>DOTNET_PreferredVectorBitWidth=128</c>), <see cref="EmulatedSdot"/>, the same sums
/// from SSE2's <c>pmaddwd</c> and SSSE3's <c>phaddd</c>. Everything else (input split, layout walk, accumulators,
/// chunks, corrections) is the same code on both, so the x86 tests run what ARM64 runs but for that one instruction.
/// </para>
/// </summary>
internal static class MatVecInt8Arm
{
    /// <summary>What s_l subtracts from x̂ mod 256, so the multiple of Σ_k q[r, k] that turns 256·H' + L' into
    /// S_r.</summary>
    public const int Offset = 128;

    private const int Block = MatVecInt8.Block;
    private const int BlockGroupBytes = Block * MatVecInt8.Group;   // 128: one group of 4 k of a block's 32 rows

    /// <summary>True when this machine runs the kernel: SDOT (ARM64), else its x86 emulation.</summary>
    public static bool IsSupported => Dp.IsSupported || Ssse3.IsSupported;

    /// <summary>
    /// x̂ = <see cref="MatVecInt8.QuantizeInput"/>(x_k, δ) split into the signed bytes <paramref name="hi"/> = x̂ ≫ 8 and
    /// <paramref name="lo"/> = (x̂ mod 256) − 128, stored as their two's-complement bits (zero past x, where q = 0).
    /// </summary>
    public static void SplitInput(ReadOnlySpan<float> x, float delta, Span<byte> hi, Span<byte> lo)
    {
        int cols = x.Length, k = 0;
        if (delta != 0 && Vector128.IsHardwareAccelerated)
        {
            var deltaV = Vector128.Create(delta);
            var low = Vector128.Create(255);
            var half = Vector128.Create(Offset);
            for (; k + 16 <= cols; k += 16)
            {
                var x0 = Quantize4(x, k, deltaV); var x1 = Quantize4(x, k + 4, deltaV);
                var x2 = Quantize4(x, k + 8, deltaV); var x3 = Quantize4(x, k + 12, deltaV);
                Bytes(x0 >> 8, x1 >> 8, x2 >> 8, x3 >> 8).StoreUnsafe(ref MemoryMarshal.GetReference(hi), (nuint)k);
                Bytes((x0 & low) - half, (x1 & low) - half, (x2 & low) - half, (x3 & low) - half).StoreUnsafe(ref MemoryMarshal.GetReference(lo), (nuint)k);
            }
        }
        for (; k < cols; k++)
        {
            int v = MatVecInt8.QuantizeInput(x[k], delta);
            hi[k] = (byte)(v >> 8);
            lo[k] = (byte)((v & 255) - Offset);
        }
        hi[cols..].Clear();
        lo[cols..].Clear();
    }

    /// <summary>Four x̂: round(x / δ) half to even, clamped to ±32767, as the scalar <see
    /// cref="MatVecInt8.QuantizeInput"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize4(ReadOnlySpan<float> x, int k, Vector128<float> delta)
    {
        var v = Vector128.Round(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)k) / delta);
        return Vector128.ConvertToInt32(Vector128.Clamp(v, Vector128.Create(-(float)MatVecInt8.InputRange), Vector128.Create((float)MatVecInt8.InputRange)));
    }

    /// <summary>16 values in [−128, 127] (four vectors of int32) → 16 signed bytes, in order, as their bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Bytes(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) =>
        Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d)).AsByte();

    /// <summary>
    /// 256·H'_r + L'_r for the 32 rows of one packed block (<paramref name="q"/>: 32 · K4 bytes; <paramref name="hi"/>,
    /// <paramref name="lo"/> from <see cref="SplitInput"/>): into exact[0..32] when there is one chunk, else into
    /// sums[0..32] (float64). <see cref="MatVecInt8"/> adds <see cref="Offset"/>·Σq.
    /// </summary>
    public static void SignedDot32(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> hi, ReadOnlySpan<byte> lo, Span<int> exact, Span<double> sums)
    {
        if (Dp.IsSupported) Body<Sdot>(q, hi, lo, exact, sums);
        else Body<EmulatedSdot>(q, hi, lo, exact, sums);
    }

    /// <summary>The dot product this machine's kernel runs: each int32 lane of <paramref name="addend"/> plus the
    /// four products of its bytes.</summary>
    internal static Vector128<int> DotProduct(Vector128<int> addend, Vector128<sbyte> left, Vector128<sbyte> right) =>
        Dp.IsSupported ? Sdot.Dot(addend, left, right) : EmulatedSdot.Dot(addend, left, right);

    /// <summary>addend_i + Σ_{j &lt; 4} left[4i + j]·right[4i + j] per int32 lane i, bytes signed: ARM64's
    /// <c>SDOT</c>.</summary>
    private interface ISignedDot { static abstract Vector128<int> Dot(Vector128<int> addend, Vector128<sbyte> left, Vector128<sbyte> right); }

    private struct Sdot : ISignedDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Dot(Vector128<int> addend, Vector128<sbyte> left, Vector128<sbyte> right) => Dp.DotProduct(addend, left, right);
    }

    /// <summary>
    /// SDOT on x86 (its 128-bit path): bytes sign-extended to 16 bits, <c>pmaddwd</c> adds pairs (|sum| ≤ 2·128²
    /// fits), <c>phaddd</c> adds the two pairs of each lane. Exact, like the instruction it stands for.
    /// </summary>
    private struct EmulatedSdot : ISignedDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Dot(Vector128<int> addend, Vector128<sbyte> left, Vector128<sbyte> right) =>
            addend + Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(Vector128.WidenLower(left), Vector128.WidenLower(right)),
                Sse2.MultiplyAddAdjacent(Vector128.WidenUpper(left), Vector128.WidenUpper(right)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Body<TDot>(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> hi, ReadOnlySpan<byte> lo, Span<int> exact, Span<double> sums)
        where TDot : struct, ISignedDot
    {
        int groups = hi.Length / MatVecInt8.Group;
        ref sbyte rq = ref MemoryMarshal.GetReference(q);
        ref byte rh = ref MemoryMarshal.GetReference(hi), rl = ref MemoryMarshal.GetReference(lo);
        bool oneChunk = groups <= MatVecInt8Kernels.ChunkGroups;
        if (!oneChunk) sums[..Block].Clear();
        for (int g0 = 0; g0 < groups; g0 += MatVecInt8Kernels.ChunkGroups)
        {
            int g1 = Math.Min(groups, g0 + MatVecInt8Kernels.ChunkGroups);
            Vector128<int> h0 = default, h1 = default, h2 = default, h3 = default, h4 = default, h5 = default, h6 = default, h7 = default;
            Vector128<int> l0 = default, l1 = default, l2 = default, l3 = default, l4 = default, l5 = default, l6 = default, l7 = default;
            for (int g = g0; g < g1; g++)
            {
                var sh = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref rh, 4 * g))).AsSByte();
                var sl = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref rl, 4 * g))).AsSByte();
                ref sbyte w = ref Unsafe.Add(ref rq, (nint)g * BlockGroupBytes);
                var w0 = Vector128.LoadUnsafe(ref w, 0); var w1 = Vector128.LoadUnsafe(ref w, 16);
                var w2 = Vector128.LoadUnsafe(ref w, 32); var w3 = Vector128.LoadUnsafe(ref w, 48);
                var w4 = Vector128.LoadUnsafe(ref w, 64); var w5 = Vector128.LoadUnsafe(ref w, 80);
                var w6 = Vector128.LoadUnsafe(ref w, 96); var w7 = Vector128.LoadUnsafe(ref w, 112);
                h0 = TDot.Dot(h0, w0, sh); l0 = TDot.Dot(l0, w0, sl); h1 = TDot.Dot(h1, w1, sh); l1 = TDot.Dot(l1, w1, sl);
                h2 = TDot.Dot(h2, w2, sh); l2 = TDot.Dot(l2, w2, sl); h3 = TDot.Dot(h3, w3, sh); l3 = TDot.Dot(l3, w3, sl);
                h4 = TDot.Dot(h4, w4, sh); l4 = TDot.Dot(l4, w4, sl); h5 = TDot.Dot(h5, w5, sh); l5 = TDot.Dot(l5, w5, sl);
                h6 = TDot.Dot(h6, w6, sh); l6 = TDot.Dot(l6, w6, sl); h7 = TDot.Dot(h7, w7, sh); l7 = TDot.Dot(l7, w7, sl);
            }
            if (oneChunk)
            {
                Store(exact, 0, h0, l0); Store(exact, 4, h1, l1); Store(exact, 8, h2, l2); Store(exact, 12, h3, l3);
                Store(exact, 16, h4, l4); Store(exact, 20, h5, l5); Store(exact, 24, h6, l6); Store(exact, 28, h7, l7);
                return;
            }
            Add(sums, 0, h0, l0); Add(sums, 4, h1, l1); Add(sums, 8, h2, l2); Add(sums, 12, h3, l3);
            Add(sums, 16, h4, l4); Add(sums, 20, h5, l5); Add(sums, 24, h6, l6); Add(sums, 28, h7, l7);
        }
    }

    /// <summary>exact[at..at+4] = 256·H' + L' (exact: below 2³¹ in magnitude per chunk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<int> exact, int at, Vector128<int> h, Vector128<int> l) =>
        ((h << 8) + l).StoreUnsafe(ref MemoryMarshal.GetReference(exact), (nuint)at);

    /// <summary>sums[at..at+4] += 256·H' + L', exactly (the int32 value is exact per chunk; the totals stay below
    /// 2⁵³).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<double> sums, int at, Vector128<int> h, Vector128<int> l)
    {
        ref double s = ref Unsafe.Add(ref MemoryMarshal.GetReference(sums), at);
        var v = (h << 8) + l;
        (Vector128.LoadUnsafe(ref s) + Vector128.ConvertToDouble(Vector128.WidenLower(v))).StoreUnsafe(ref s);
        (Vector128.LoadUnsafe(ref s, 2) + Vector128.ConvertToDouble(Vector128.WidenUpper(v))).StoreUnsafe(ref s, 2);
    }
}
