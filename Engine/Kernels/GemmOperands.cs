namespace SeqLearn.Kernels;

/// <summary>
/// One GEMM problem in stride form: op(A)(i, p) = <c>A[i·Ars + p·Acs]</c>, op(B)(p, j) = <c>B[p·Brs + j·Bcs]</c>,
/// C(i, j) = <c>C[i·Crs + j·Ccs]</c>. Transposition is just swapped strides, so the packing and blocking code
/// sees one kind of problem, and computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead of C is <see cref="Transposed"/>.
/// </summary>
internal readonly unsafe struct GemmOperands<T>(
    T* a, nint ars, nint acs, T* b, nint brs, nint bcs, T* c, nint crs, nint ccs, int m, int n, int k, T alpha, T beta)
    where T : unmanaged
{
    public readonly T* A = a, B = b, C = c;
    public readonly nint Ars = ars, Acs = acs, Brs = brs, Bcs = bcs, Crs = crs, Ccs = ccs;
    public readonly int M = m, N = n, K = k;
    public readonly T Alpha = alpha, Beta = beta;

    /// <summary>The row-major BLAS problem: C (m, n) = α·op(A)·op(B) + β·C.</summary>
    public static GemmOperands<T> RowMajor(bool transA, bool transB, int m, int n, int k,
        T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) =>
        new(a, transA ? 1 : lda, transA ? lda : 1, b, transB ? 1 : ldb, transB ? ldb : 1, c, ldc, 1, m, n, k, alpha, beta);

    /// <summary>The same product seen as Cᵀ (n, m) = op(B)ᵀ (n, k) · op(A)ᵀ (k, m): same memory, swapped roles.</summary>
    public GemmOperands<T> Transposed() => new(B, Bcs, Brs, A, Acs, Ars, C, Ccs, Crs, N, M, K, Alpha, Beta);

    /// <summary>The columns [j0, j1) of C as a problem of their own.</summary>
    public GemmOperands<T> Columns(int j0, int j1) =>
        new(A, Ars, Acs, B + j0 * Bcs, Brs, Bcs, C + j0 * Ccs, Crs, Ccs, M, j1 - j0, K, Alpha, Beta);
}
