using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Additive (Bahdanau) attention scores from projected keys and queries:
    /// <code>
    /// e[b, u, s] = Σ_a v_a · tanh(k[b, s, a] + q[b, u, a])      k (B, S, A), q (B, U, A), v (A) → e (B, U, S)
    /// </code>
    /// with k = W_k·memory and q = W_q·query computed by the caller (one GEMM each). The (B, U, S, A) tanh values are saved.
    /// Backward, with τ = tanh(k_s + q_u) and δ[b, u, s, a] = ∂L/∂e[b, u, s] · v_a · (1 − τ²):
    /// ∂L/∂v_a = Σ_{b,u,s} ∂L/∂e[b, u, s] · τ[b, u, s, a],  ∂L/∂k[b, s, a] = Σ_u δ[b, u, s, a],  ∂L/∂q[b, u, a] = Σ_s δ[b, u, s, a].
    /// </summary>
    public static Var<T> AdditiveScores<T>(Var<T> keys, Var<T> queries, Var<T> v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(v);
        var (k, q, w) = (keys.Value, queries.Value, v.Value);
        if (k.Rank != 3 || q.Rank != 3 || w.Rank != 1 || q.Dim(0) != k.Dim(0) || q.Dim(2) != k.Dim(2) || w.Dim(0) != k.Dim(2))
            throw new ArgumentException($"AdditiveScores: expected keys (B, S, A), queries (B, U, A), v (A), got {k.ShapeString}, {q.ShapeString}, {w.ShapeString}.", k.Rank != 3 ? nameof(keys) : w.Rank != 1 || w.Dim(0) != k.Dim(2) ? nameof(v) : nameof(queries));
        int B = k.Dim(0), S = k.Dim(1), U = q.Dim(1), A = k.Dim(2);
        if ((long)B * U * S * A > Array.MaxLength)   // τ is the largest tensor: checked before anything is allocated
            throw new ArgumentException($"AdditiveScores: keys {k.ShapeString} and queries {q.ShapeString} make {(long)B * U * S * A} saved tanh values (B, U, S, A), above the {Array.MaxLength} a tensor holds.", nameof(queries));
        var e = Tensor<T>.Zeros(B, U, S);
        var tau = Tensor<T>.Zeros(B, U, S, A);
        var ks = k.Span;
        var qs = q.Span;
        var vs = w.Span;
        var es = e.Span;
        var ts = tau.Span;
        for (int b = 0; b < B; b++)
            for (int u = 0; u < U; u++)
            {
                var qu = qs.Slice((b * U + u) * A, A);
                var block = ts.Slice((b * U + u) * S * A, S * A);                    // τ[b, u, :, :]
                for (int s = 0; s < S; s++)
                {
                    var tauS = block.Slice(s * A, A);
                    TensorPrimitives.Add<T>(ks.Slice((b * S + s) * A, A), qu, tauS);
                    // τ = tanh(k_s + q_u), one call per key: a call's length must not depend on S, since Tanh computes
                    // fewer than one vector's worth of values with the scalar tanh and rounds them differently.
                    TensorPrimitives.Tanh<T>(tauS, tauS);
                }
                for (int s = 0; s < S; s++)
                    es[(b * U + u) * S + s] = TensorPrimitives.Dot<T>(block.Slice(s * A, A), vs);   // e = v · τ
            }
        return Var<T>.FromOp(e, (Node<T>.Tracks(keys, queries) || Node<T>.Tracks(v)) ? new AdditiveScoresNode<T>(keys, queries, v, tau) : null);
    }
}

/// <summary>Saves τ (B, U, S, A); the backward reuses one (S, A) buffer for δ.</summary>
internal sealed class AdditiveScoresNode<T>(Var<T> keys, Var<T> queries, Var<T> v, Tensor<T> tau) : Node<T>(keys, queries, v)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        int B = tau.Dim(0), U = tau.Dim(1), S = tau.Dim(2), A = tau.Dim(3);
        var gk = keys.RequiresGrad ? GradOf(keys).Span : default;
        var gq = queries.RequiresGrad ? GradOf(queries).Span : default;
        var gv = v.RequiresGrad ? GradOf(v).Span : default;
        var ts = tau.Span;
        var vs = v.Value.Span;
        var ge = gradOutput.Span;
        var delta = new T[S * A];
        for (int b = 0; b < B; b++)
            for (int u = 0; u < U; u++)
            {
                var block = ts.Slice((b * U + u) * S * A, S * A);                    // τ[b, u, :, :]
                var g = ge.Slice((b * U + u) * S, S);                                // ∂L/∂e[b, u, :]
                if (v.RequiresGrad)
                    for (int s = 0; s < S; s++) TensorPrimitives.MultiplyAdd<T>(block.Slice(s * A, A), g[s], gv, gv);   // ∂v += g τ
                if (!keys.RequiresGrad && !queries.RequiresGrad) continue;
                TensorPrimitives.Multiply<T>(block, block, delta);
                TensorPrimitives.Subtract<T>(T.One, delta, delta);                   // 1 − τ²
                for (int s = 0; s < S; s++)
                {
                    var d = delta.AsSpan(s * A, A);
                    TensorPrimitives.Multiply<T>(d, vs, d);
                    TensorPrimitives.Multiply<T>(d, g[s], d);                        // δ = g v (1 − τ²)
                    if (keys.RequiresGrad) { var r = gk.Slice((b * S + s) * A, A); TensorPrimitives.Add<T>(r, d, r); }
                    if (queries.RequiresGrad) { var r = gq.Slice((b * U + u) * A, A); TensorPrimitives.Add<T>(r, d, r); }
                }
            }
    }
}
