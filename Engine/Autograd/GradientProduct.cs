using System.Buffers;
using SeqLearn.Kernels;

namespace SeqLearn.Autograd;

/// <summary>
/// C (rows, cols, contiguous) += α·op(X)·op(Y) as one term, for a backward that adds a product into a gradient. A GEMM
/// whose depth exceeds one slice (k &gt; 5/4·KC = 320) adds its slices into C one after the other, so when C already
/// holds another consumer's gradient the sum is grouped (g + s₁) + s₂ instead of g + (s₁ + s₂): a value's gradient
/// would then depend on the order in which backward reaches its consumers, which the mask nodes of a padded batch
/// change (docs/masking.md §3.3). Such a product goes through a pooled scratch matrix first; a one-slice product is
/// already one term and goes straight into C.
/// </summary>
internal static class GradientProduct
{
    /// <summary>
    /// Adds the product; <paramref name="depthIsRows"/> when <paramref name="depth"/> runs over the rows of a batch (a
    /// weight gradient), so each element is one multiply-add chain in the order of the rows (Gemm.Compute).
    /// </summary>
    public static void Add<T>(bool transX, bool transY, int rows, int cols, int depth, T alpha, ReadOnlySpan<T> x, int ldx,
        ReadOnlySpan<T> y, int ldy, Span<T> c, WorkerPool? pool, bool depthIsRows = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (depth <= GemmBlocking.For<T>().MaxKC)
        {
            Gemm.Compute(KernelPath.Default, transX, transY, rows, cols, depth, alpha, x, ldx, y, ldy, T.One, c, cols, pool, depthIsRows);
            return;
        }
        var scratch = ArrayPool<T>.Shared.Rent(rows * cols);
        var product = scratch.AsSpan(0, rows * cols);
        Gemm.Compute(KernelPath.Default, transX, transY, rows, cols, depth, alpha, x, ldx, y, ldy, T.Zero, product, cols, pool, depthIsRows);
        TensorPrimitives.Add(c[..(rows * cols)], product, c);
        ArrayPool<T>.Shared.Return(scratch);
    }
}
