using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// C = op(A) · op(B) for 2-D values, op(X) = X or Xᵀ per flag.  A (M, K), B (K, N) → C (M, N).
    /// Backward (without transposes): ∂L/∂A = ∂L/∂C · Bᵀ,  ∂L/∂B = Aᵀ · ∂L/∂C.
    /// <c>MatMul(x, w, transposeB: true)</c> is the <c>x Wᵀ</c> of a Linear layer with W (out, in).
    /// </summary>
    public static Var<T> MatMul<T>(Var<T> a, Var<T> b, bool transposeA = false, bool transposeB = false, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => MatMul(a, b, transposeA, transposeB, pool, rowsPerSequence: 0);

    /// <summary>
    /// <see cref="MatMul{T}(Var{T}, Var{T}, bool, bool, WorkerPool?)"/> for A's rows grouped into sequences of
    /// <paramref name="rowsPerSequence"/> consecutive rows (a Linear layer on (B, T, in) flattened to (B·T, in)): ∂L/∂B
    /// then sums the rows in chunks of whole sequences (<see cref="GradientProduct.AddInRowChunks"/>), so a sequence gets
    /// the same weight gradient alone as padded in a batch (docs/masking.md §3.4). 0: no grouping.
    /// </summary>
    internal static Var<T> MatMul<T>(Var<T> a, Var<T> b, bool transposeA, bool transposeB, WorkerPool? pool, int rowsPerSequence)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Value.Rank != 2 || b.Value.Rank != 2)
            throw new ArgumentException($"MatMul: both operands must be 2-D, got {a.Value.ShapeString} and {b.Value.ShapeString}.", a.Value.Rank != 2 ? nameof(a) : nameof(b));
        int m = transposeA ? a.Value.Dim(1) : a.Value.Dim(0);
        int k = transposeA ? a.Value.Dim(0) : a.Value.Dim(1);
        int kb = transposeB ? b.Value.Dim(1) : b.Value.Dim(0);
        int n = transposeB ? b.Value.Dim(0) : b.Value.Dim(1);
        if (k != kb)
            throw new ArgumentException(
                $"MatMul: inner sizes differ: {a.Value.ShapeString}{(transposeA ? "ᵀ" : "")} · {b.Value.ShapeString}{(transposeB ? "ᵀ" : "")} ({k} vs {kb}).", nameof(b));
        var c = Tensor<T>.Zeros(m, n);
        Gemm.Compute(transposeA, transposeB, m, n, k, T.One, a.Value.Span, a.Value.Dim(1), b.Value.Span, b.Value.Dim(1), T.Zero, c.Span, n, pool);
        int group = transposeA ? 0 : rowsPerSequence;
        return Var<T>.FromOp(c, Node<T>.Tracks(a, b) ? new MatMulNode<T>(a, b, transposeA, transposeB, pool, group) : null);
    }
}

internal sealed class MatMulNode<T>(Var<T> a, Var<T> b, bool transA, bool transB, WorkerPool? pool, int rowsPerSequence) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var av = a.Value;
        var bv = b.Value;
        int m = gradOutput.Dim(0), n = gradOutput.Dim(1);
        int k = transA ? av.Dim(0) : av.Dim(1);
        var g = gradOutput.Span;
        if (a.RequiresGrad)
        {
            // op(A) = G · op(B)ᵀ (M, K). Stored A is op(A) or its transpose: A = (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ.
            var ga = GradOf(a).Span;
            if (!transA)
                GradientProduct.Add(false, !transB, m, k, n, T.One, g, n, bv.Span, bv.Dim(1), ga, pool);
            else
                GradientProduct.Add(transB, true, k, m, n, T.One, bv.Span, bv.Dim(1), g, n, ga, pool);
        }
        if (b.RequiresGrad)
        {
            // op(B) = op(A)ᵀ · G (K, N). Stored B is op(B) or its transpose: B = Gᵀ · op(A).
            var gb = GradOf(b).Span;
            if (rowsPerSequence > 0 && !transB)       // A's rows are the depth, in sequences: Aᵀ (K, M) · G (M, N)
                GradientProduct.AddInRowChunks(k, n, m, rowsPerSequence, av.Span, av.Dim(1), g, n, gb, pool, gradientIsX: false);
            else if (rowsPerSequence > 0)             // Gᵀ (N, M) · A (M, K)
                GradientProduct.AddInRowChunks(n, k, m, rowsPerSequence, g, n, av.Span, av.Dim(1), gb, pool, gradientIsX: true);
            else if (!transB)
                GradientProduct.Add(!transA, false, k, n, m, T.One, av.Span, av.Dim(1), g, n, gb, pool, depthIsRows: true);
            else
                GradientProduct.Add(true, transA, n, k, m, T.One, g, n, av.Span, av.Dim(1), gb, pool, depthIsRows: true);
        }
    }
}
