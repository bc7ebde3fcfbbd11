using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// <see cref="MatVec.MultiplyTransposed"/> on 256- and 128-bit vectors (AVX2 machines and ARM64 NEON; tests force
/// both on this machine), written once over the GEMM's vector operations (<see cref="IGemmSimd{T, TVec}"/>):
/// y += x_k · Wt[k, :] over blocks of outputs held in eight accumulators. Every output is still one fused
/// multiply-add chain in order of k, so the result equals the scalar loop's and the 512-bit path's bit for bit
/// whatever the width.
/// </summary>
internal static unsafe class MatVecNarrow
{
    /// <summary>Outputs from <paramref name="r"/> on, 8·lanes then lanes at a time; returns the first output not written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Transposed<TVec, S>(float* wt, float* x, float* y, int r, int rows, int cols)
        where TVec : struct
        where S : IGemmSimd<float, TVec>
    {
        int l = S.Lanes;
        for (; r <= rows - 8 * l; r += 8 * l)
        {
            TVec a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero, a4 = S.Zero, a5 = S.Zero, a6 = S.Zero, a7 = S.Zero;
            float* w = wt + r;
            for (int k = 0; k < cols; k++, w += rows)
            {
                TVec xk = S.Broadcast(x + k);
                a0 = S.MultiplyAdd(S.Load(w), xk, a0);
                a1 = S.MultiplyAdd(S.Load(w + l), xk, a1);
                a2 = S.MultiplyAdd(S.Load(w + 2 * l), xk, a2);
                a3 = S.MultiplyAdd(S.Load(w + 3 * l), xk, a3);
                a4 = S.MultiplyAdd(S.Load(w + 4 * l), xk, a4);
                a5 = S.MultiplyAdd(S.Load(w + 5 * l), xk, a5);
                a6 = S.MultiplyAdd(S.Load(w + 6 * l), xk, a6);
                a7 = S.MultiplyAdd(S.Load(w + 7 * l), xk, a7);
            }
            float* o = y + r;
            S.Store(o, a0); S.Store(o + l, a1); S.Store(o + 2 * l, a2); S.Store(o + 3 * l, a3);
            S.Store(o + 4 * l, a4); S.Store(o + 5 * l, a5); S.Store(o + 6 * l, a6); S.Store(o + 7 * l, a7);
        }
        for (; r <= rows - l; r += l)
        {
            TVec a = S.Zero;
            for (int k = 0; k < cols; k++) a = S.MultiplyAdd(S.Load(wt + (nint)k * rows + r), S.Broadcast(x + k), a);
            S.Store(y + r, a);
        }
        return r;
    }
}
