using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// <see cref="MatVec.MultiplyTransposed"/> on 256- and 128-bit vectors (AVX2 machines and ARM64 NEON; tests force
/// both on this machine): y += x_k · Wt[k, :] over blocks of outputs held in eight accumulators. Every output is still
/// one fused multiply-add chain in order of k, so the result equals the scalar loop's and the 512-bit path's bit for
/// bit whatever the width.
/// </summary>
internal static class MatVecNarrow
{
    /// <summary>Outputs [r, r + 8·lanes) of y with 256-bit vectors; returns the next output not written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Transposed256(ref float wt, ref float x, ref float y, int r, int rows, int cols)
    {
        const int L = 8;
        for (; r <= rows - 8 * L; r += 8 * L)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            ref float w = ref Unsafe.Add(ref wt, r);
            for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, rows))
            {
                var xk = Vector256.Create(Unsafe.Add(ref x, k));
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 0 * L), xk, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 1 * L), xk, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 2 * L), xk, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 3 * L), xk, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 4 * L), xk, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 5 * L), xk, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 6 * L), xk, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 7 * L), xk, a7);
            }
            ref float o = ref Unsafe.Add(ref y, r);
            a0.StoreUnsafe(ref o, 0 * L); a1.StoreUnsafe(ref o, 1 * L); a2.StoreUnsafe(ref o, 2 * L); a3.StoreUnsafe(ref o, 3 * L);
            a4.StoreUnsafe(ref o, 4 * L); a5.StoreUnsafe(ref o, 5 * L); a6.StoreUnsafe(ref o, 6 * L); a7.StoreUnsafe(ref o, 7 * L);
        }
        for (; r <= rows - L; r += L)
        {
            Vector256<float> a = default;
            for (int k = 0; k < cols; k++)
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wt, (nuint)((nint)k * rows + r)), Vector256.Create(Unsafe.Add(ref x, k)), a);
            a.StoreUnsafe(ref y, (nuint)r);
        }
        return r;
    }

    /// <summary>Outputs [r, r + 8·lanes) of y with 128-bit vectors (NEON has 32 registers: eight accumulators leave room); returns the next output not written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Transposed128(ref float wt, ref float x, ref float y, int r, int rows, int cols)
    {
        const int L = 4;
        for (; r <= rows - 8 * L; r += 8 * L)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            ref float w = ref Unsafe.Add(ref wt, r);
            for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, rows))
            {
                var xk = Vector128.Create(Unsafe.Add(ref x, k));
                a0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 0 * L), xk, a0);
                a1 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 1 * L), xk, a1);
                a2 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 2 * L), xk, a2);
                a3 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 3 * L), xk, a3);
                a4 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 4 * L), xk, a4);
                a5 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 5 * L), xk, a5);
                a6 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 6 * L), xk, a6);
                a7 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref w, 7 * L), xk, a7);
            }
            ref float o = ref Unsafe.Add(ref y, r);
            a0.StoreUnsafe(ref o, 0 * L); a1.StoreUnsafe(ref o, 1 * L); a2.StoreUnsafe(ref o, 2 * L); a3.StoreUnsafe(ref o, 3 * L);
            a4.StoreUnsafe(ref o, 4 * L); a5.StoreUnsafe(ref o, 5 * L); a6.StoreUnsafe(ref o, 6 * L); a7.StoreUnsafe(ref o, 7 * L);
        }
        for (; r <= rows - L; r += L)
        {
            Vector128<float> a = default;
            for (int k = 0; k < cols; k++)
                a = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wt, (nuint)((nint)k * rows + r)), Vector128.Create(Unsafe.Add(ref x, k)), a);
            a.StoreUnsafe(ref y, (nuint)r);
        }
        return r;
    }
}
