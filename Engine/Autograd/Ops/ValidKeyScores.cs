using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Attention scores over each entry's first len_b keys: queries q (B, U, Q), keys k (B, S, Q), lengths (B) →
    /// e (B, U, S) with e[b, :, s] = q_b k_b[s]ᵀ for s &lt; len_b and 0 after (the padded keys are never read).
    /// ∂q_b = G_b[:, :len] k_b[:len], ∂k_b[:len] = G_b[:, :len]ᵀ q_b, 0 on padding.
    /// Each entry is one GEMM of exactly the shape it has alone, so its values and gradients do not depend on the padded
    /// width S: <see cref="BatchedMatMul{T}"/> over all S keys does not give that, because the GEMM's plan (tiles or dot
    /// products for the last columns) depends on its N = S.
    /// </summary>
    public static Var<T> ValidKeyScores<T>(Var<T> queries, Var<T> keys, int[] lengths, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(keys);
        var (q, k) = (queries.Value, keys.Value);
        if (q.Rank != 3 || k.Rank != 3 || k.Dim(0) != q.Dim(0) || k.Dim(2) != q.Dim(2))
            throw new ArgumentException($"ValidKeyScores: expected queries (B, U, Q) and keys (B, S, Q), got {q.ShapeString} and {k.ShapeString}.", q.Rank != 3 ? nameof(queries) : nameof(keys));
        int b = q.Dim(0), u = q.Dim(1), d = q.Dim(2), s = k.Dim(1);
        SequenceMask.Check(lengths, b, s, minLength: 0, $"ValidKeyScores (keys {k.ShapeString})");
        var e = Tensor<T>.Zeros(b, u, s);
        Span<T> qs = q.Span, ks = k.Span, es = e.Span;
        for (int i = 0; i < b && u > 0; i++)
        {
            int n = lengths[i];
            if (n > 0)
                Gemm.Compute(false, true, u, n, d, T.One, qs.Slice(i * u * d, u * d), d, ks.Slice(i * s * d, n * d), d,
                    T.Zero, es.Slice(i * u * s, (u - 1) * s + n), s, pool);
        }
        return Var<T>.FromOp(e, Node<T>.Tracks(queries, keys) ? new ValidKeyScoresNode<T>(queries, keys, (int[])lengths.Clone(), pool) : null);
    }
}

/// <summary>∂q_b += G_b[:, :n] · k_b[:n];  ∂k_b[:n] += G_b[:, :n]ᵀ · q_b.</summary>
internal sealed class ValidKeyScoresNode<T>(Var<T> queries, Var<T> keys, int[] lengths, WorkerPool? pool) : Node<T>(queries, keys)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var (q, k) = (queries.Value, keys.Value);
        int b = q.Dim(0), u = q.Dim(1), d = q.Dim(2), s = k.Dim(1);
        Span<T> g = gradOutput.Span, qs = q.Span, ks = k.Span;
        var gq = queries.RequiresGrad ? GradOf(queries).Span : default;
        var gk = keys.RequiresGrad ? GradOf(keys).Span : default;
        for (int i = 0; i < b && u > 0; i++)
        {
            int n = lengths[i];
            if (n == 0) continue;
            var gi = g.Slice(i * u * s, (u - 1) * s + n);                                      // G_b[:, :n], row stride S
            if (queries.RequiresGrad)
                Gemm.Compute(false, false, u, d, n, T.One, gi, s, ks.Slice(i * s * d, n * d), d, T.One, gq.Slice(i * u * d, u * d), d, pool);
            if (keys.RequiresGrad)
                Gemm.Compute(true, false, n, d, u, T.One, gi, s, qs.Slice(i * u * d, u * d), d, T.One, gk.Slice(i * s * d, n * d), d, pool);
        }
    }
}
