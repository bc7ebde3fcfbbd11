using System.Runtime.InteropServices;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

public class PageCommitTests
{
    [Fact]
    public void Populate_KeepsEveryValue_OnAnUnalignedSpan()
    {
        // 3 MB of floats at an odd offset and odd length: the whole pages inside are mapped, the partial ones at the ends left alone.
        var data = new float[(3 << 18) + 1001];
        for (int i = 0; i < data.Length; i++) data[i] = i * 0.5f - 7f;
        var span = data.AsSpan(13, data.Length - 13 - 17);
        PageCommit.Populate(span);
        for (int i = 0; i < data.Length; i++) Assert.Equal(i * 0.5f - 7f, data[i]);
    }

    [Fact]
    public void Populate_FreshArray_StaysZero_AndWritesTakeNoFaultPerPage()
    {
        const int pages = 8192; // 32 MiB
        var data = new float[pages * 1024];
        PageCommit.Populate(data.AsSpan());
        long before = MinorFaults();
        for (int i = 0; i < data.Length; i += 1024)
        {
            Assert.Equal(0f, data[i]);
            data[i] = 1f;
        }
        long faults = MinorFaults() - before;
        if (OperatingSystem.IsLinux())
            Assert.True(faults < pages / 8, $"{faults} page faults writing {pages} populated pages");
    }

    [Fact]
    public unsafe void Resident_TellsAnUntouchedPageFromAWrittenOne()
    {
        if (!OperatingSystem.IsLinux()) return;
        // 64 MiB from malloc: above glibc's largest mmap threshold (32 MiB), so always fresh, untouched pages from
        // the OS (a managed array could reuse memory the GC has touched before).
        const nuint bytes = 64u << 20;
        byte* p = (byte*)NativeMemory.Alloc(bytes);
        try
        {
            nint page = Environment.SystemPageSize;
            nint middle = ((nint)p + (nint)(bytes / 2)) & ~(page - 1);
            Assert.False(PageCommit.Resident(middle, page));
            *(float*)middle = 1f;
            Assert.True(PageCommit.Resident(middle, page));
        }
        finally
        {
            NativeMemory.Free(p);
        }
    }

    [Fact]
    public void Populate_SmallSpan_IsANoOp()
    {
        var data = new double[1000];
        data[999] = 3;
        PageCommit.Populate(data.AsSpan());
        Assert.Equal(3, data[999]);
    }

    /// <summary>This thread's minor page faults so far (field 10 of /proc/thread-self/stat; 0 elsewhere).</summary>
    private static long MinorFaults()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // state is field 3, minflt field 10
    }
}
