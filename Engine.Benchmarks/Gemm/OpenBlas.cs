using System.Runtime.InteropServices;
namespace SeqLearn.Benchmarks;

/// <summary>
/// The baseline: <c>cblas_sgemm</c> from Debian's libopenblas0 (<c>libopenblas.so.0</c>), loaded at run time
/// so a machine without it still runs the SeqLearn side of the comparison.
/// </summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlas(nint sgemm, nint setThreads)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        _setThreads = (delegate* unmanaged<int, void>)setThreads;
    }

    /// <summary>The library, or null (with <paramref name="why"/>) when it is not installed.</summary>
    public static OpenBlas? TryLoad(out string why)
    {
        why = "";
        if (!NativeLibrary.TryLoad("libopenblas.so.0", out nint lib))
        {
            why = "libopenblas.so.0 not found";
            return null;
        }
        if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out nint sgemm) ||
            !NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out nint setThreads))
        {
            why = "libopenblas.so.0 lacks cblas_sgemm or openblas_set_num_threads";
            return null;
        }
        return new OpenBlas(sgemm, setThreads);
    }

    /// <summary>Sets the number of threads OpenBLAS uses for the following calls.</summary>
    public void SetThreads(int threads) => _setThreads(threads);

    /// <summary>Row-major C = α·op(A)·op(B) + β·C.</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
