using System.Runtime.Intrinsics.X86;

namespace SeqLearn.Kernels;

/// <summary>Software prefetch of data another core has just written.</summary>
internal static class CacheLines
{
    /// <summary>
    /// Requests every 64-byte line of <paramref name="values"/> at once (<c>prefetcht0</c>), so that lines another core
    /// wrote arrive together instead of one at a time as a loop reaches them (a core-to-core transfer took 100–580 ns
    /// on the project's 2-vCPU machines). Costs a few cycles per line when the data is already here; a no-op without
    /// SSE (ARM64).
    /// </summary>
    public static unsafe void Prefetch(ReadOnlySpan<float> values)
    {
        if (!Sse.IsSupported) return;
        if (values.IsEmpty) return;
        fixed (float* start = values)
        {
            for (int i = 0; i < values.Length; i += 16) Sse.Prefetch0(start + i);
            Sse.Prefetch0(start + values.Length - 1);   // the last line, when the span does not start on a line
        }
    }
}
