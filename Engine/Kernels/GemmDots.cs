namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// The narrow-C path: C[i, j] = α·⟨op(A)[i, :], op(B)[:, j]⟩ + β·C[i, j] for rows [i0, i1), one dot product
    /// per element, vectorised along k. Used for the last n mod NR (&lt; NR/2) columns of C when op(A) is
    /// row-major, e.g. the 65th column of (2048, 256)·(256, 65), where a full tile would compute 32 columns
    /// to keep one. The few columns of op(B) are first copied to contiguous rows of the workspace.
    /// </summary>
    /// <remarks>Four accumulators cover the FMA latency; their order of combination is fixed, so the result
    /// depends only on the shape, not on the thread that runs it.</remarks>
    internal static unsafe void Dots<T, TVec, S>(in GemmOperands<T> op, int i0, int i1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int k = op.K, w = S.Lanes;
        T* bt = GemmWorkspace.Get<T>(op.N * k); // (N, K): the columns of op(B) as rows
        for (int j = 0; j < op.N; j++)
            for (int p = 0; p < k; p++)
                bt[j * k + p] = op.B[p * op.Brs + j * op.Bcs];
        for (int i = i0; i < i1; i++)
        {
            T* a = op.A + i * op.Ars;
            for (int j = 0; j < op.N; j++)
            {
                T* b = bt + j * k;
                TVec s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero;
                int p = 0;
                for (; p + 4 * w <= k; p += 4 * w)
                {
                    s0 = S.MultiplyAdd(S.Load(a + p), S.Load(b + p), s0);
                    s1 = S.MultiplyAdd(S.Load(a + p + w), S.Load(b + p + w), s1);
                    s2 = S.MultiplyAdd(S.Load(a + p + 2 * w), S.Load(b + p + 2 * w), s2);
                    s3 = S.MultiplyAdd(S.Load(a + p + 3 * w), S.Load(b + p + 3 * w), s3);
                }
                for (; p + w <= k; p += w) s0 = S.MultiplyAdd(S.Load(a + p), S.Load(b + p), s0);
                T sum = S.Sum(S.Add(S.Add(s0, s1), S.Add(s2, s3)));
                for (; p < k; p++) sum = T.FusedMultiplyAdd(a[p], b[p], sum);
                T* c = op.C + i * op.Crs + j * op.Ccs;
                *c = op.Beta == T.Zero ? op.Alpha * sum : T.FusedMultiplyAdd(op.Alpha, sum, op.Beta * *c);
            }
        }
    }
}
