namespace SeqLearn.Kernels;

/// <summary>
/// General matrix multiply on row-major spans: <c>C = α·op(A)·op(B) + β·C</c>, where op(X) is X or Xᵀ.
/// op(A) is (m, k), op(B) is (k, n), C is (m, n); <c>lda</c>, <c>ldb</c>, <c>ldc</c> are the row strides
/// of A, B and C as stored. When β = 0, C is not read (NaNs in C do not propagate), as in BLAS.
/// </summary>
public static partial class Gemm
{
    /// <summary>
    /// The fast path: packed, cache-blocked, register-tiled SIMD (docs/kernels.md) for float and double,
    /// the reference loops for other element types. Results are bit-identical whatever
    /// <paramref name="pool"/>'s thread count; they differ from <see cref="Reference{T}"/> only by rounding
    /// (a different summation order over k and fused multiply-adds). C must not overlap A or B (an
    /// <see cref="ArgumentException"/> naming <paramref name="c"/> otherwise).
    /// Allocates nothing at steady state: each thread's buffers (<see cref="GemmWorkspace"/>) are allocated at its first
    /// GEMM and grown only when a later call needs more.
    /// </summary>
    public static void Compute<T>(bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Compute(KernelPath.Default, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool);
    }

    /// <summary>
    /// <c>Compute</c> on the GEMM path of <paramref name="kernels"/> (the packed kernel of its <see cref="KernelPath.Gemm"/>,
    /// or the reference loops): what a layer told to run a given vector path calls.
    /// </summary>
    /// <remarks>
    /// <paramref name="depthIsRows"/>: k runs over the rows of a batch (a weight gradient Σ_rows dYᵀ·X). Each element is then
    /// computed as one multiply-add chain in the order of k, never by the dot-product path, whose lanes split k by position:
    /// a row's terms would fall into other lanes alone than in a batch (docs/masking.md §3.3).
    /// </remarks>
    internal static void Compute<T>(KernelPath kernels, bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc, WorkerPool? pool, bool depthIsRows = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // ComputePacked and Reference each validate the arguments.
        if (kernels.GemmFor<T>() is { } isa)
            ComputePacked(isa, GemmBlocking.For<T>(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool, depthIsRows);
        else
            Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// <c>Compute</c> on a chosen vector path and blocking (float or double). Tests use it to run
    /// the narrower paths on wide hardware, and benchmarks to compare blockings.
    /// </summary>
    internal static unsafe void ComputePacked<T>(GemmIsa isa, GemmBlocking blocking, bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc, WorkerPool? pool, bool depthIsRows = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate<T>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var op = GemmOperands<T>.RowMajor(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            Packed(isa, blocking, op, pool, depthIsRows);
        }
    }

    /// <summary>
    /// The executable specification: three plain loops, accumulating each dot product in order over k.
    /// </summary>
    public static void Reference<T>(bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate<T>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aip = transA ? a[p * lda + i] : a[i * lda + p];
                    T bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aip * bpj;
                }
                ref T cij = ref c[i * ldc + j];
                cij = beta == T.Zero ? alpha * sum : alpha * sum + beta * cij;
            }
        }
    }

    /// <summary>
    /// Checks that the spans are large enough for the stated sizes and strides, and that the elements of C the product
    /// writes do not overlap those of A or B it reads (their extents: first to last element touched).
    /// </summary>
    internal static void Validate<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, ReadOnlySpan<T> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        CheckDisjoint(c, m, n, ldc, "A", a, transA ? k : m, transA ? m : k, lda);
        CheckDisjoint(c, m, n, ldc, "B", b, transB ? n : k, transB ? k : n, ldb);
    }

    /// <summary>Checks that the spans are large enough for the stated sizes and strides.</summary>
    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Gemm: negative size m={m}, n={n}, k={k}.", m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k));
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckMatrix("A", "a", "lda", aRows, aCols, lda, aLength);
        CheckMatrix("B", "b", "ldb", bRows, bCols, ldb, bLength);
        CheckMatrix("C", "c", "ldc", m, n, ldc, cLength);
    }

    private static void CheckMatrix(string name, string span, string stride, int rows, int cols, int ld, int length)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"Gemm: leading dimension of {name} ({ld}) is smaller than its {cols} columns.", stride);
        long needed = (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"Gemm: {name} needs {needed} elements for ({rows}, {cols}) with stride {ld}, but has {length}.", span);
    }

    /// <summary>
    /// Refuses a C (m, n) whose written extent overlaps the read extent of operand <paramref name="name"/> (rows, cols) as
    /// stored: the kernels read A and B while they write C, so an overlap returns wrong values. Sizes are validated first.
    /// </summary>
    internal static void CheckDisjoint<T>(ReadOnlySpan<T> c, int m, int n, int ldc, string name, ReadOnlySpan<T> x, int rows, int cols, int ld)
    {
        if (c[..Extent(m, n, ldc)].Overlaps(x[..Extent(rows, cols, ld)]))
            throw new ArgumentException($"Gemm: C overlaps {name} in memory; C must be a buffer apart from A and B.", nameof(c));
    }

    /// <summary>Elements from the first to the last one of a (rows, cols) matrix with row stride <paramref name="ld"/> (0 when it is empty).</summary>
    private static int Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
}
