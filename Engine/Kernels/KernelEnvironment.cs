namespace SeqLearn.Kernels;

/// <summary>
/// The kernel settings a process reads from its environment once: <c>SEQLEARN_ISA</c> (avx512, avx2, v128 or neon,
/// scalar) forces the vector path of every kernel that does not name one (docs/kernels.md).
/// </summary>
public static class KernelEnvironment
{
    /// <summary>
    /// Checks <c>SEQLEARN_ISA</c> up front: does nothing when it is unset or names a path this CPU runs; otherwise throws
    /// the <see cref="InvalidOperationException"/> the first kernel call would, naming the variable and the choices. A
    /// program calls it at start to fail before any work rather than in the middle of it.
    /// </summary>
    public static void Validate() => _ = KernelPath.Default;
}
