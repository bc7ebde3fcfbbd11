namespace SeqLearn.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// The narrow-C path: C[i, j] = α·⟨op(A)[i, :], op(B)[:, j]⟩ + β·C[i, j] for rows [i0, i1), one dot product
    /// per element, vectorised along k. Used for the last n mod NR (&lt; NR/2) columns of C when op(A) is
    /// row-major, e.g. the 65th column of (2048, 256)·(256, 65), where a full tile would compute 32 columns
    /// to keep one. The few columns of op(B) are first copied to contiguous rows of the workspace, unless they are
    /// already (the tail rows of a <see cref="GemmPackedB{T}"/>).
    /// </summary>
    /// <remarks>Four accumulators per dot product cover the FMA latency; their order of combination is fixed, so the
    /// result depends only on the shape, not on the thread that runs it or on how many rows are done together.</remarks>
    internal static unsafe void Dots<T, TVec, S>(in GemmOperands<T> op, int i0, int i1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int k = op.K;
        T* bt = op.B; // (N, K): the columns of op(B) as rows, copied unless they already are (pre-packed tail rows)
        if (op.Brs != 1 || op.Bcs != k)
        {
            bt = GemmWorkspace.Get<T>(op.N * k);
            for (int j = 0; j < op.N; j++)
                for (int p = 0; p < k; p++)
                    bt[j * k + p] = op.B[p * op.Brs + j * op.Bcs];
        }
        int i = i0;
        for (; i + 3 <= i1; i += 3)
            for (int j = 0; j < op.N; j++)
                DotRows3<T, TVec, S>(op, i, j, bt + j * k);
        for (; i < i1; i++)
            for (int j = 0; j < op.N; j++)
                Store(op, i, j, DotRow<T, TVec, S>(op.A + i * op.Ars, bt + j * k, k));
    }

    /// <summary>⟨a, b⟩ over k values: four chains over blocks of 4·lanes, the leftover vectors into the first, combined as ((s0 + s1) + (s2 + s3)), then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe T DotRow<T, TVec, S>(T* a, T* b, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int w = S.Lanes;
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
        return sum;
    }

    /// <summary>
    /// <see cref="DotRow{T, TVec, S}"/> for rows i, i + 1, i + 2 against one column at once: the same operations per row in
    /// the same order (so the same bits), with twelve independent chains and each load of b shared by three rows.
    /// </summary>
    private static unsafe void DotRows3<T, TVec, S>(in GemmOperands<T> op, int i, int j, T* b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where S : IGemmSimd<T, TVec>
    {
        int k = op.K, w = S.Lanes;
        T* a0 = op.A + i * op.Ars, a1 = a0 + op.Ars, a2 = a1 + op.Ars;
        TVec s00 = S.Zero, s01 = S.Zero, s02 = S.Zero, s03 = S.Zero;
        TVec s10 = S.Zero, s11 = S.Zero, s12 = S.Zero, s13 = S.Zero;
        TVec s20 = S.Zero, s21 = S.Zero, s22 = S.Zero, s23 = S.Zero;
        int p = 0;
        for (; p + 4 * w <= k; p += 4 * w)
        {
            TVec b0 = S.Load(b + p), b1 = S.Load(b + p + w), b2 = S.Load(b + p + 2 * w), b3 = S.Load(b + p + 3 * w);
            s00 = S.MultiplyAdd(S.Load(a0 + p), b0, s00); s01 = S.MultiplyAdd(S.Load(a0 + p + w), b1, s01);
            s02 = S.MultiplyAdd(S.Load(a0 + p + 2 * w), b2, s02); s03 = S.MultiplyAdd(S.Load(a0 + p + 3 * w), b3, s03);
            s10 = S.MultiplyAdd(S.Load(a1 + p), b0, s10); s11 = S.MultiplyAdd(S.Load(a1 + p + w), b1, s11);
            s12 = S.MultiplyAdd(S.Load(a1 + p + 2 * w), b2, s12); s13 = S.MultiplyAdd(S.Load(a1 + p + 3 * w), b3, s13);
            s20 = S.MultiplyAdd(S.Load(a2 + p), b0, s20); s21 = S.MultiplyAdd(S.Load(a2 + p + w), b1, s21);
            s22 = S.MultiplyAdd(S.Load(a2 + p + 2 * w), b2, s22); s23 = S.MultiplyAdd(S.Load(a2 + p + 3 * w), b3, s23);
        }
        for (; p + w <= k; p += w)
        {
            TVec bv = S.Load(b + p);
            s00 = S.MultiplyAdd(S.Load(a0 + p), bv, s00);
            s10 = S.MultiplyAdd(S.Load(a1 + p), bv, s10);
            s20 = S.MultiplyAdd(S.Load(a2 + p), bv, s20);
        }
        T sum0 = S.Sum(S.Add(S.Add(s00, s01), S.Add(s02, s03)));
        T sum1 = S.Sum(S.Add(S.Add(s10, s11), S.Add(s12, s13)));
        T sum2 = S.Sum(S.Add(S.Add(s20, s21), S.Add(s22, s23)));
        for (; p < k; p++)
        {
            sum0 = T.FusedMultiplyAdd(a0[p], b[p], sum0);
            sum1 = T.FusedMultiplyAdd(a1[p], b[p], sum1);
            sum2 = T.FusedMultiplyAdd(a2[p], b[p], sum2);
        }
        Store(op, i, j, sum0);
        Store(op, i + 1, j, sum1);
        Store(op, i + 2, j, sum2);
    }

    /// <summary>C[i, j] = α·sum (+ β·C[i, j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<T>(in GemmOperands<T> op, int i, int j, T sum) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T* c = op.C + i * op.Crs + j * op.Ccs;
        *c = op.Beta == T.Zero ? op.Alpha * sum : T.FusedMultiplyAdd(op.Alpha, sum, op.Beta * *c);
    }
}
