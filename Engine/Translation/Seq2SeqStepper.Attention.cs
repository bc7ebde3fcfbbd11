using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

public sealed partial class Seq2SeqStepper<T>
{
    private readonly AttentionBuffers? _attention;

    /// <summary>One step's attention buffers and packed weights, made once per stepper (null without attention).</summary>
    private sealed class AttentionBuffers(int b, int s, int m, int h, int width, GemmPackedB<T> weight) : IDisposable
    {
        public readonly T[] Scores = new T[b * s];        // e (B, S)
        public readonly T[] Alpha = new T[b * s];         // α (B, S), 0 past each row's length (cleared every step)
        public readonly T[] Context = new T[b * m];       // c (B, M)
        public readonly T[] Projected = new T[b * width]; // Bahdanau: q W_qᵀ (B, A); Luong: h̃ (B, H), also the next step's feed
        public readonly T[] Tau = new T[width];           // Bahdanau: τ = tanh(k_s + q) (A), one key at a time
        public readonly T[] Joined = new T[b * (m + h)];  // Luong: [c; h] (B, M + H)
        public T[] Spare = new T[b * width];              // Luong: the feed reordered
        public readonly GemmPackedB<T> Weight = weight;   // W_qᵀ (H, A) or W_cᵀ (M + H, H)

        /// <summary>h̃ of the last step (B, H), the input-feeding vector.</summary>
        public T[] Feed => Projected;

        public void ReorderFeed(ReadOnlySpan<int> parents, int h)
        {
            for (int r = 0; r < parents.Length; r++) Projected.AsSpan(parents[r] * h, h).CopyTo(Spare.AsSpan(r * h, h));
            Spare.AsSpan().CopyTo(Projected);
        }

        public void Dispose() => Weight.Dispose();
    }

    private AttentionBuffers? CreateAttention(int b)
    {
        int s = SourceSteps, m = _config.MemorySize, h = _config.HiddenSize;
        switch (_decoder.Attention)
        {
            case BahdanauAttention<T> bahdanau:
            {
                var wq = bahdanau.WQ.Weight.Value;                                  // (A, H)
                int a = wq.Dim(0);
                return new AttentionBuffers(b, s, m, h, a, GemmPackedB<T>.Create(true, h, a, wq.Span, h));
            }
            case LuongAttention<T> luong:
                return new AttentionBuffers(b, s, m, h, h, GemmPackedB<T>.Create(true, m + h, h, luong.WC.Weight.Value.Span, m + h));
            default:
                return null;
        }
    }

    /// <summary>
    /// Bahdanau attention of queries q (B, H): e_s = vᵀ tanh(k_s + W_q q) over each row's valid keys, α = softmax(e),
    /// c = Σ_s α_s m_s (<see cref="BahdanauAttention{T}"/>, <see cref="Ops.AdditiveScores{T}"/>).
    /// </summary>
    private void AttendBahdanau(ReadOnlySpan<T> q)
    {
        var buffers = _attention!;
        int b = Rows, s = SourceSteps, h = _config.HiddenSize, a = buffers.Tau.Length;
        Gemm.Compute(false, b, T.One, q, h, buffers.Weight, T.Zero, buffers.Projected, a, _pool);   // W_q q (B, A)
        var keys = _keys!.Span;                                                                       // (N, S, A)
        var v = ((BahdanauAttention<T>)_decoder.Attention!).V.Weight.Value.Span;                      // (A)
        for (int r = 0; r < b; r++)
        {
            int source = _source[r], n = _length[r];
            var qr = buffers.Projected.AsSpan(r * a, a);
            for (int j = 0; j < n; j++)
            {
                TensorPrimitives.Add<T>(keys.Slice((source * s + j) * a, a), qr, buffers.Tau);
                TensorPrimitives.Tanh<T>(buffers.Tau, buffers.Tau);                                  // τ, one call per key as the op
                buffers.Scores[r * s + j] = TensorPrimitives.Dot<T>(buffers.Tau, v);                  // e = v · τ
            }
        }
        SoftmaxAndContext(buffers);
    }

    /// <summary>
    /// Luong attention of the RNN's output h (B, H): e_s = hᵀ k_s over each row's valid keys (k = m, or m W_aᵀ), α = softmax(e),
    /// c = Σ_s α_s m_s, and h̃ = tanh(W_c [c; h]) (B, H), which it returns (<see cref="LuongAttention{T}"/>).
    /// </summary>
    private Span<T> AttendLuong(ReadOnlySpan<T> hTop)
    {
        var buffers = _attention!;
        int b = Rows, s = SourceSteps, h = _config.HiddenSize, m = _config.MemorySize;
        var keys = _keys!.Span;                                                                       // (N, S, H)
        for (int r = 0; r < b; r++)
        {
            int source = _source[r], n = _length[r];
            Gemm.Compute(false, true, 1, n, h, T.One, hTop.Slice(r * h, h), h, keys.Slice(source * s * h, n * h), h,
                T.Zero, buffers.Scores.AsSpan(r * s, n), s, _pool);                                   // e = h · k_s
        }
        SoftmaxAndContext(buffers);
        for (int r = 0; r < b; r++)
        {
            buffers.Context.AsSpan(r * m, m).CopyTo(buffers.Joined.AsSpan(r * (m + h), m));
            hTop.Slice(r * h, h).CopyTo(buffers.Joined.AsSpan(r * (m + h) + m, h));                  // [c; h]
        }
        var projected = buffers.Projected.AsSpan(0, b * h);
        Gemm.Compute(false, b, T.One, buffers.Joined, m + h, buffers.Weight, T.Zero, projected, h, _pool);
        Elementwise.Tanh<T>(projected, projected);                                                    // h̃ (B, H), as Ops.Tanh computes it
        return projected;
    }

    /// <summary>α = softmax of each row's first len scores (0 past them) and c = α · m over the same keys (B, M).</summary>
    private void SoftmaxAndContext(AttentionBuffers buffers)
    {
        int s = SourceSteps, m = _config.MemorySize;
        var memory = _memory.Span;                                                                    // (N, S, M)
        for (int r = 0; r < Rows; r++)
        {
            int n = _length[r];
            Ops.SoftmaxRow<T>(buffers.Scores.AsSpan(r * s, n), buffers.Alpha.AsSpan(r * s, n));
            buffers.Alpha.AsSpan(r * s + n, s - n).Clear();                                           // a reordering may have moved a longer source's row here
            Gemm.Compute(false, false, 1, m, n, T.One, buffers.Alpha.AsSpan(r * s, n), s, memory.Slice(_source[r] * s * m, n * m), m,
                T.Zero, buffers.Context.AsSpan(r * m, m), m, _pool);                                 // c = α · m
        }
    }
}
