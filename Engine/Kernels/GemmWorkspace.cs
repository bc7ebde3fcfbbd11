namespace SeqLearn.Kernels;

/// <summary>
/// Per-thread packing memory, allocated on the pinned object heap at a thread's first GEMM and reused by every
/// later GEMM on that thread (grown when a call needs more: a larger element type or blocking, a larger dense block
/// of C, or a dot-product copy of N·k values beyond the packing workspace), so a GEMM at steady state allocates
/// nothing. Each pool worker and each calling thread gets its own block, which is why no two threads ever share a
/// packing buffer.
/// </summary>
internal static unsafe class GemmWorkspace
{
    private const int Alignment = 64; // one cache line, also one zmm register

    [ThreadStatic] private static byte[]? s_buffer;
    [ThreadStatic] private static byte[]? s_block;

    /// <summary>A 64-byte aligned buffer of at least <paramref name="elements"/> values of <typeparamref name="T"/>.</summary>
    public static T* Get<T>(int elements) where T : unmanaged => Aligned<T>(ref s_buffer, elements);

    /// <summary>
    /// A second 64-byte aligned buffer of at least <paramref name="elements"/> values, apart from <see cref="Get{T}"/>'s:
    /// a dense copy of a block of C that the packing buffers are used beside (<c>GemmJob</c>).
    /// </summary>
    public static T* GetBlock<T>(int elements) where T : unmanaged => Aligned<T>(ref s_block, elements);

    private static T* Aligned<T>(ref byte[]? slot, int elements) where T : unmanaged
    {
        long bytes = (long)elements * sizeof(T) + Alignment;
        var buffer = slot;
        if (buffer is null || buffer.Length < bytes)
            slot = buffer = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
