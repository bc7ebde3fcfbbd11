using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Attention context over each entry's first len_b memory steps: weights α (B, U, S), memory m (B, S, M), lengths (B) →
    /// c (B, U, M) with c_b = α_b[:, :len_b] m_b[:len_b] (the padded steps are never read).
    /// ∂α_b[:, :len] = G_b m_b[:len]ᵀ, ∂m_b[:len] = α_b[:, :len]ᵀ G_b, 0 on padding.
    /// One GEMM per entry of exactly the shape it has alone, so the result does not depend on the padded width S
    /// (see <see cref="ValidKeyScores{T}"/>).
    /// </summary>
    public static Var<T> ValidKeyContext<T>(Var<T> weights, Var<T> memory, int[] lengths, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(memory);
        var (a, m) = (weights.Value, memory.Value);
        if (a.Rank != 3 || m.Rank != 3 || m.Dim(0) != a.Dim(0) || m.Dim(1) != a.Dim(2))
            throw new ArgumentException($"ValidKeyContext: expected weights (B, U, S) and memory (B, S, M), got {a.ShapeString} and {m.ShapeString}.", a.Rank != 3 ? nameof(weights) : nameof(memory));
        int b = a.Dim(0), u = a.Dim(1), s = a.Dim(2), w = m.Dim(2);
        SequenceMask.Check(lengths, b, s, minLength: 0, $"ValidKeyContext (memory {m.ShapeString})");
        var c = Tensor<T>.Zeros(b, u, w);
        Span<T> alpha = a.Span, ms = m.Span, cs = c.Span;
        for (int i = 0; i < b && u > 0; i++)
        {
            int n = lengths[i];
            if (n > 0)
                Gemm.Compute(false, false, u, w, n, T.One, alpha.Slice(i * u * s, (u - 1) * s + n), s, ms.Slice(i * s * w, n * w), w,
                    T.Zero, cs.Slice(i * u * w, u * w), w, pool);
        }
        return Var<T>.FromOp(c, Node<T>.Tracks(weights, memory) ? new ValidKeyContextNode<T>(weights, memory, (int[])lengths.Clone(), pool) : null);
    }
}

/// <summary>∂α_b[:, :n] += G_b · m_b[:n]ᵀ;  ∂m_b[:n] += α_b[:, :n]ᵀ · G_b.</summary>
internal sealed class ValidKeyContextNode<T>(Var<T> weights, Var<T> memory, int[] lengths, WorkerPool? pool) : Node<T>(weights, memory)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var (a, m) = (weights.Value, memory.Value);
        int b = a.Dim(0), u = a.Dim(1), s = a.Dim(2), w = m.Dim(2);
        Span<T> g = gradOutput.Span, alpha = a.Span, ms = m.Span;
        var ga = weights.RequiresGrad ? GradOf(weights).Span : default;
        var gm = memory.RequiresGrad ? GradOf(memory).Span : default;
        for (int i = 0; i < b && u > 0; i++)
        {
            int n = lengths[i];
            if (n == 0) continue;
            var gi = g.Slice(i * u * w, u * w);
            if (weights.RequiresGrad)
                Gemm.Compute(false, true, u, n, w, T.One, gi, w, ms.Slice(i * s * w, n * w), w, T.One, ga.Slice(i * u * s, (u - 1) * s + n), s, pool);
            if (memory.RequiresGrad)
                Gemm.Compute(true, false, n, w, u, T.One, alpha.Slice(i * u * s, (u - 1) * s + n), s, gi, w, T.One, gm.Slice(i * s * w, n * w), w, pool);
        }
    }
}
