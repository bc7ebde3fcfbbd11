namespace SeqLearn.Kernels;

/// <summary>
/// Per-thread packing memory, allocated once per thread on the pinned object heap and reused by every
/// later GEMM on that thread (grown only when a larger element type or blocking asks for more), so a
/// GEMM at steady state allocates nothing. Each pool worker and each calling thread gets its own block,
/// which is why no two threads ever share a packing buffer.
/// </summary>
internal static unsafe class GemmWorkspace
{
    private const int Alignment = 64; // one cache line, also one zmm register

    [ThreadStatic] private static byte[]? s_buffer;

    /// <summary>A 64-byte aligned buffer of at least <paramref name="elements"/> values of <typeparamref name="T"/>.</summary>
    public static T* Get<T>(int elements) where T : unmanaged
    {
        long bytes = (long)elements * sizeof(T) + Alignment;
        var buffer = s_buffer;
        if (buffer is null || buffer.Length < bytes)
            s_buffer = buffer = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
