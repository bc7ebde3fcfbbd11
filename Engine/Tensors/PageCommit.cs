using System.Runtime.InteropServices;

namespace SeqLearn.Tensors;

/// <summary>
/// Maps the memory pages of a large, freshly allocated array in one system call instead of one page fault per 4 KiB
/// page on first write (Linux <c>madvise(MADV_POPULATE_WRITE)</c>, kernel 5.14+). The .NET GC hands out a new
/// multi-megabyte array as untouched zero pages, and on a virtual machine each first-touch fault is a trap to the
/// hypervisor: a recurrent layer's 13 MB output took ~3,200 faults per call, a tenth of its forward+backward
/// (docs/rnn.md#rnn-performance). Contents are unchanged (the pages are mapped as zeros, as they would be by the
/// faults); on any other OS, an older kernel or a missing libc it does nothing. Memory the GC hands out again is
/// usually still mapped, and populating it would walk every page table entry for nothing (6.7 % of a char-LM
/// training step's samples): when the first, middle and last page are already resident (<c>mincore</c>), the call is
/// skipped.
/// </summary>
internal static unsafe class PageCommit
{
    /// <summary>Below this many bytes the faults cost too little to matter.</summary>
    internal const long MinBytes = 1 << 21;

    private const int MadvPopulateWrite = 23;

    private static bool s_disabled = !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("SEQLEARN_PAGECOMMIT") == "0";

    [DllImport("libc.so.6", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    [DllImport("libc.so.6", EntryPoint = "mincore")]
    private static extern int Mincore(nint address, nuint length, byte* residency);

    /// <summary>Whether the page at <paramref name="page"/> is mapped in memory (false when it cannot be told).</summary>
    internal static bool Resident(nint page, nint pageSize)
    {
        byte flag = 0;
        return Mincore(page, (nuint)pageSize, &flag) == 0 && (flag & 1) != 0;
    }

    /// <summary>Maps every whole page inside <paramref name="span"/> (which must be writable memory of its own array).</summary>
    public static void Populate<T>(Span<T> span) where T : unmanaged
    {
        long bytes = (long)span.Length * sizeof(T);
        if (s_disabled || bytes < MinBytes) return;
        nint page = Environment.SystemPageSize;
        fixed (T* p = span)
        {
            nint start = ((nint)p + page - 1) & ~(page - 1), end = ((nint)p + (nint)bytes) & ~(page - 1);
            if (end <= start) return;
            try
            {
                nint middle = (start + (end - start) / 2) & ~(page - 1);
                if (Resident(start, page) && Resident(middle, page) && Resident(end - page, page)) return; // reused memory
                if (Madvise(start, (nuint)(end - start), MadvPopulateWrite) != 0) s_disabled = true; // EINVAL: kernel without it
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_disabled = true;
            }
        }
    }
}
