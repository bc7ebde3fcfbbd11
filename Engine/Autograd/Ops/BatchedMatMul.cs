using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Cₙ = op(Aₙ) · op(Bₙ) for every batch entry n, op(X) = X or Xᵀ on the last two axes.
    /// A (N, M, K), B (N, K, P) → C (N, M, P) (A stored (N, K, M) when <paramref name="transposeA"/>, B (N, P, K) when
    /// <paramref name="transposeB"/>). One GEMM per entry, each writing its slice of C (nothing else is allocated).
    /// Backward per entry (without transposes): ∂L/∂Aₙ = ∂L/∂Cₙ · Bₙᵀ,  ∂L/∂Bₙ = Aₙᵀ · ∂L/∂Cₙ.
    /// Attention scores are <c>BatchedMatMul(q, k, transposeB: true)</c> for q (N, S, H), k (N, S, H) → (N, S, S).
    /// </summary>
    public static Var<T> BatchedMatMul<T>(Var<T> a, Var<T> b, bool transposeA = false, bool transposeB = false, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var av = a.Value;
        var bv = b.Value;
        string shapes = $"{av.ShapeString}{(transposeA ? "ᵀ" : "")} · {bv.ShapeString}{(transposeB ? "ᵀ" : "")}";
        if (av.Rank != 3 || bv.Rank != 3)
            throw new ArgumentException($"BatchedMatMul: both operands must be 3-D (N, ·, ·), got {shapes}.", av.Rank != 3 ? nameof(a) : nameof(b));
        int n = av.Dim(0);
        int m = transposeA ? av.Dim(2) : av.Dim(1);
        int k = transposeA ? av.Dim(1) : av.Dim(2);
        int kb = transposeB ? bv.Dim(2) : bv.Dim(1);
        int p = transposeB ? bv.Dim(1) : bv.Dim(2);
        if (bv.Dim(0) != n)
            throw new ArgumentException($"BatchedMatMul: batch sizes differ: {shapes} ({n} vs {bv.Dim(0)}).", nameof(b));
        if (k != kb)
            throw new ArgumentException($"BatchedMatMul: inner sizes differ: {shapes} ({k} vs {kb}).", nameof(b));
        var c = Tensor<T>.Zeros(n, m, p);
        int aSize = m * k, bSize = k * p, cSize = m * p;
        var As = av.Span;
        var Bs = bv.Span;
        var Cs = c.Span;
        for (int i = 0; i < n; i++)
            Gemm.Compute(transposeA, transposeB, m, p, k, T.One, As.Slice(i * aSize, aSize), av.Dim(2),
                Bs.Slice(i * bSize, bSize), bv.Dim(2), T.Zero, Cs.Slice(i * cSize, cSize), p, pool);
        return Var<T>.FromOp(c, Node<T>.Tracks(a, b) ? new BatchedMatMulNode<T>(a, b, transposeA, transposeB, pool) : null);
    }
}

/// <summary>MatMul's backward (<see cref="MatMulNode{T}"/>) on each batch entry's slices.</summary>
internal sealed class BatchedMatMulNode<T>(Var<T> a, Var<T> b, bool transA, bool transB, WorkerPool? pool) : Node<T>(a, b)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var av = a.Value;
        var bv = b.Value;
        int batch = gradOutput.Dim(0), m = gradOutput.Dim(1), p = gradOutput.Dim(2);
        int k = transA ? av.Dim(1) : av.Dim(2);
        int lda = av.Dim(2), ldb = bv.Dim(2);
        int aSize = m * k, bSize = k * p, cSize = m * p;
        var gs = gradOutput.Span;
        var As = av.Span;
        var Bs = bv.Span;
        var gA = a.RequiresGrad ? GradOf(a).Span : default;
        var gB = b.RequiresGrad ? GradOf(b).Span : default;
        for (int i = 0; i < batch; i++)
        {
            var g = gs.Slice(i * cSize, cSize);                                   // ∂L/∂Cₙ (M, P)
            var ai = As.Slice(i * aSize, aSize);
            var bi = Bs.Slice(i * bSize, bSize);
            if (a.RequiresGrad)
            {
                // op(A) = G · op(B)ᵀ (M, K); stored Aᵀ = op(B) · Gᵀ.
                var ga = gA.Slice(i * aSize, aSize);
                if (!transA) GradientProduct.Add(false, !transB, m, k, p, T.One, g, p, bi, ldb, ga, pool);
                else GradientProduct.Add(transB, true, k, m, p, T.One, bi, ldb, g, p, ga, pool);
            }
            if (b.RequiresGrad)
            {
                // op(B) = op(A)ᵀ · G (K, P); stored Bᵀ = Gᵀ · op(A).
                var gb = gB.Slice(i * bSize, bSize);
                if (!transB) GradientProduct.Add(!transA, false, k, p, m, T.One, ai, lda, g, p, gb, pool, depthIsRows: true);
                else GradientProduct.Add(true, transA, p, k, m, T.One, g, p, ai, lda, gb, pool, depthIsRows: true);
            }
        }
    }
}
