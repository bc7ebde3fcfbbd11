using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>How the decoder of a <see cref="Seq2Seq{T}"/> looks at the encoder's outputs.</summary>
public enum AttentionKind
{
    /// <summary>No attention: the decoder reads the encoder summary at every step (the plain encoder–decoder).</summary>
    None,
    /// <summary>Additive attention (Bahdanau et al. 2015) before the recurrent step; the context enters the RNN input.</summary>
    Bahdanau,
    /// <summary>Luong et al. (2015) <c>dot</c> score e = q·k after the recurrent step.</summary>
    LuongDot,
    /// <summary>Luong et al. (2015) <c>general</c> score e = qᵀ W_a k after the recurrent step.</summary>
    LuongGeneral,
}

/// <summary>
/// Attention of U queries over S memory vectors (the encoder outputs) of each batch row, masked over source padding:
/// <code>
/// e = Scores(q, k)                      (B, U, S)   k = Keys(memory), computed once per batch
/// α[b, u, :] = softmax(e[b, u, :len_b])  (B, U, S)   exactly 0 at s ≥ len_b (MaskedSoftmax)
/// c = α · memory                         (B, U, M)   c_u = Σ_s α_{u,s} m_s, one GEMM per row over its valid steps
/// </code>
/// Queries are (B, U, Q): all decoder steps at once where the model allows it, (B, 1, Q) in a per-step loop.
/// </summary>
public abstract class Attention<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The keys the scores read, from memory (B, S, M): a projection of it, or the memory itself.</summary>
    public abstract Var<T> Keys(Var<T> memory, WorkerPool? pool = null);

    /// <summary>The scores e (B, U, S) of queries (B, U, Q) against <see cref="Keys"/> (B, S, ·).</summary>
    public abstract Var<T> Scores(Var<T> queries, Var<T> keys, WorkerPool? pool = null);

    /// <summary>
    /// The context c (B, U, M) and weights α (B, U, S) of queries (B, U, Q) over memory (B, S, M) whose row b has
    /// <paramref name="lengths"/>[b] valid steps.
    /// </summary>
    public (Var<T> Context, Var<T> Weights) Attend(Var<T> queries, Var<T> keys, Var<T> memory, int[] lengths, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(lengths);
        var alpha = Ops.MaskedSoftmax(ValidScores(queries, keys, lengths, pool), lengths);   // (B, U, S)
        // (B, U, S)·(B, S, M) → (B, U, M) over each row's valid steps only, so a row's bits do not depend on the padded width S.
        var context = Ops.ValidKeyContext(alpha, memory, lengths, pool);
        return (context, alpha);
    }

    /// <summary><see cref="Scores"/> where only each row's first lengths[b] keys are read (the others may be anything: they are masked).</summary>
    private protected virtual Var<T> ValidScores(Var<T> queries, Var<T> keys, int[] lengths, WorkerPool? pool) => Scores(queries, keys, pool);

    /// <summary>Throws unless x is (B, ·, <paramref name="width"/>), naming <paramref name="what"/>, the caller's parameter.</summary>
    private protected static void Check(Var<T> x, int width, string op, string what)
    {
        ArgumentNullException.ThrowIfNull(x, what);
        if (x.Value.Rank != 3 || x.Value.Dim(2) != width)
            throw new ArgumentException($"{op}: expected {what} (B, ·, {width}), got {x.Value.ShapeString}.", what);
    }
}

/// <summary>
/// Bahdanau (additive) attention, as in Bahdanau et al. (2015) and d2l.ai:
/// <code>
/// e_{u,s} = vᵀ tanh(W_k m_s + W_q q_u)      W_k (A, M), W_q (A, Q), v (A)
/// </code>
/// Shapes: keys k = memory W_kᵀ (B, S, A) once per batch (one GEMM); per call q W_qᵀ (B, U, A) (one GEMM), then
/// <see cref="Ops.AdditiveScores{T}"/> (B, U, S). Parameters <c>W_k.weight</c>, <c>W_q.weight</c>, <c>v.weight</c> (1, A),
/// named as PyTorch <c>nn.Linear(…, bias=False)</c> layers so weights move by name.
/// </summary>
public sealed class BahdanauAttention<T> : Attention<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer: memory width M, query width Q, attention width A; weights from <paramref name="rng"/>.</summary>
    public BahdanauAttention(int memorySize, int querySize, int attentionSize, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memorySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(querySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attentionSize);
        WK = AddModule("W_k", new Linear<T>(memorySize, attentionSize, rng, bias: false));
        WQ = AddModule("W_q", new Linear<T>(querySize, attentionSize, rng, bias: false));
        V = AddModule("v", new Linear<T>(attentionSize, 1, rng, bias: false));
    }

    /// <summary>W_k (A, M).</summary>
    public Linear<T> WK { get; }

    /// <summary>W_q (A, Q).</summary>
    public Linear<T> WQ { get; }

    /// <summary>v, stored (1, A).</summary>
    public Linear<T> V { get; }

    /// <inheritdoc/>
    public override Var<T> Keys(Var<T> memory, WorkerPool? pool = null)
    {
        Check(memory, WK.InFeatures, "BahdanauAttention.Keys", "memory");
        return WK.Forward(memory, pool);                                                   // (B, S, A)
    }

    /// <inheritdoc/>
    public override Var<T> Scores(Var<T> queries, Var<T> keys, WorkerPool? pool = null)
    {
        Check(queries, WQ.InFeatures, "BahdanauAttention.Scores", "queries");
        ArgumentNullException.ThrowIfNull(keys);
        var q = WQ.Forward(queries, pool);                                                 // (B, U, A)
        return Ops.AdditiveScores(keys, q, Ops.Reshape(V.Weight, V.InFeatures));          // (B, U, S)
    }
}

/// <summary>
/// Luong et al. (2015) multiplicative attention and its attentional vector:
/// <code>
/// dot:     e_{u,s} = q_uᵀ m_s                      keys = memory (needs M = Q)
/// general: e_{u,s} = q_uᵀ W_a m_s                  keys = memory W_aᵀ (B, S, Q), W_a (Q, M)
/// h̃_u = tanh(W_c [c_u; q_u])                       W_c (Q, M + Q)
/// </code>
/// For all U queries at once the scores are e = q · keysᵀ (B, U, Q)·(B, S, Q)ᵀ → (B, U, S): one batched GEMM in
/// <see cref="Scores"/>, one GEMM per row over its valid keys in <see cref="Attention{T}.Attend"/>.
/// Parameters <c>W_a.weight</c> (general only) and <c>W_c.weight</c>, without biases as in the paper.
/// </summary>
public sealed class LuongAttention<T> : Attention<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; <paramref name="general"/> adds W_a. Weights from <paramref name="rng"/>.</summary>
    public LuongAttention(int memorySize, int querySize, bool general, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memorySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(querySize);
        if (!general && memorySize != querySize)
            throw new ArgumentException($"LuongAttention: the dot score needs memory width = query width, got {memorySize} and {querySize}.", nameof(querySize));
        (MemorySize, QuerySize) = (memorySize, querySize);
        WA = general ? AddModule("W_a", new Linear<T>(memorySize, querySize, rng, bias: false)) : null;
        WC = AddModule("W_c", new Linear<T>(memorySize + querySize, querySize, rng, bias: false));
    }

    /// <summary>M.</summary>
    public int MemorySize { get; }

    /// <summary>Q (the decoder's hidden size).</summary>
    public int QuerySize { get; }

    /// <summary>W_a (Q, M) of the general score, or null for dot.</summary>
    public Linear<T>? WA { get; }

    /// <summary>W_c (Q, M + Q).</summary>
    public Linear<T> WC { get; }

    /// <inheritdoc/>
    public override Var<T> Keys(Var<T> memory, WorkerPool? pool = null)
    {
        Check(memory, MemorySize, "LuongAttention.Keys", "memory");
        return WA is null ? memory : WA.Forward(memory, pool);                             // (B, S, Q)
    }

    /// <inheritdoc/>
    public override Var<T> Scores(Var<T> queries, Var<T> keys, WorkerPool? pool = null)
    {
        Check(queries, QuerySize, "LuongAttention.Scores", "queries");
        ArgumentNullException.ThrowIfNull(keys);
        return Ops.BatchedMatMul(queries, keys, transposeB: true, pool: pool);             // (B, U, S)
    }

    /// <summary>The scores over each row's valid keys only: one GEMM per row of the shape it has alone, 0 past its length.</summary>
    private protected override Var<T> ValidScores(Var<T> queries, Var<T> keys, int[] lengths, WorkerPool? pool)
    {
        Check(queries, QuerySize, "LuongAttention.Scores", "queries");
        return Ops.ValidKeyScores(queries, keys, lengths, pool);                      // (B, U, S)
    }

    /// <summary>
    /// h̃ = tanh(W_c [c; h]) for context c (B, U, M) and decoder output h (B, U, Q) → (B, U, Q); other shapes are an
    /// error naming both.
    /// </summary>
    public Var<T> AttentionalVector(Var<T> context, Var<T> h, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(h);
        var (c, q) = (context.Value, h.Value);
        bool contextFits = c.Rank == 3 && c.Dim(2) == MemorySize;
        if (!contextFits || q.Rank != 3 || q.Dim(0) != c.Dim(0) || q.Dim(1) != c.Dim(1) || q.Dim(2) != QuerySize)
            throw new ArgumentException($"LuongAttention.AttentionalVector: expected context (B, U, {MemorySize}) and h (B, U, {QuerySize}), " +
                $"got {c.ShapeString} and {q.ShapeString}.", contextFits ? nameof(h) : nameof(context));
        return Ops.Tanh(WC.Forward(Ops.Concat([context, h], 2), pool));
    }
}
