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
    /// <summary>
    /// C (rows, cols) += Xᵀ·Y for X (depth, rows) and Y (depth, cols) row-major, whose depth runs over the rows of a batch
    /// grouped into sequences of <paramref name="rowsPerSequence"/> consecutive rows, one factor being the upstream
    /// gradient (X when <paramref name="gradientIsX"/>, else Y). A GEMM deeper than one slice rounds its running sum every
    /// KC = 256 rows, so a sequence straddling a multiple of 256 would be summed in two parts in the batch but in one chain
    /// alone. Here the depth is cut into chunks of ⌊KC / T⌋ whole sequences (at least one), each one slice for T ≤ 320,
    /// summed in order into a pooled scratch that is added to C as one term; so each sequence's terms form one chain as
    /// they do alone, and other sequences' zero rows add exactly nothing (docs/masking.md §3.4). For T &gt; 320 a chunk is
    /// one sequence, and its product stops after the sequence's last step whose gradient row is not all zero: the steps
    /// after it (a padded row's tail under a masked loss) contribute only zero products, and without them the slices fall
    /// where they fall for the row alone (a row of 257–320 steps is one slice, not two).
    /// </summary>
    public static void AddInRowChunks<T>(int rows, int cols, int depth, int rowsPerSequence, ReadOnlySpan<T> x, int ldx,
        ReadOnlySpan<T> y, int ldy, Span<T> c, WorkerPool? pool, bool gradientIsX) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var blocking = GemmBlocking.For<T>();
        int chunk = blocking.SequencesPerSlice(rowsPerSequence) * rowsPerSequence;
        bool stopAtLastTerm = rowsPerSequence > blocking.MaxKC;
        if (!stopAtLastTerm && (depth <= blocking.MaxKC || chunk >= depth))
        {
            Add(true, false, rows, cols, depth, T.One, x, ldx, y, ldy, c, pool, depthIsRows: true);
            return;
        }
        var scratch = ArrayPool<T>.Shared.Rent(rows * cols);
        var product = scratch.AsSpan(0, rows * cols);
        bool empty = true;
        for (int r = 0; r < depth; r += chunk)
        {
            int k = Math.Min(chunk, depth - r);
            if (stopAtLastTerm)
                k = gradientIsX ? StepsToLastNonZero(x[(r * ldx)..], ldx, rows, k) : StepsToLastNonZero(y[(r * ldy)..], ldy, cols, k);
            if (k == 0) continue;
            Gemm.Compute(KernelPath.Default, true, false, rows, cols, k, T.One, x[(r * ldx)..], ldx, y[(r * ldy)..], ldy,
                empty ? T.Zero : T.One, product, cols, pool, depthIsRows: true);
            empty = false;
        }
        if (!empty) TensorPrimitives.Add(c[..(rows * cols)], product, c);
        ArrayPool<T>.Shared.Return(scratch);
    }

    /// <summary>1 + the last of the first <paramref name="steps"/> rows (of <paramref name="width"/> elements, stride <paramref name="ld"/>) with an element ≠ 0; 0 when all are zero.</summary>
    private static int StepsToLastNonZero<T>(ReadOnlySpan<T> g, int ld, int width, int steps) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int t = steps - 1; t >= 0; t--)
        {
            var row = g.Slice(t * ld, width);
            for (int j = 0; j < width; j++)
                if (row[j] != T.Zero) return t + 1;
        }
        return 0;
    }
}
