using System.Buffers;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The teacher-forced Bahdanau decoder (one recurrent layer) over all U steps as one autograd node. Per step t, with
/// s_{t−1} the state (s₀ from the bridge), e_t the embedded input, k = m W_kᵀ the keys and n_b the source length:
/// <code>
/// [q_t | â_t] = s_{t−1} [W_q; W_hh]ᵀ                       (B, A + G·H), one GEMM
/// τ_{t,s} = tanh(k_s + q_t),  e_{t,s} = v·τ_{t,s}           s &lt; n_b
/// α_t = softmax(e_t[:n_b]), 0 past n_b;  c_t = Σ_s α_{t,s} m_s   (B, M)
/// x̂_t = e_t W_ieᵀ + c_t W_icᵀ + b                          W_ih = [W_ie | W_ic]
///     = e_t W_ieᵀ + b + Σ_s α_{t,s} p_s                     p = m W_icᵀ (B, S, G·H) once per batch; e W_ieᵀ for all steps in one GEMM; b per live row
/// s_t = cell(x̂_t, â_t, s_{t−1})                             the fused GRU/LSTM gate kernel
/// </code>
/// W_ic is linear, so c_t W_icᵀ = Σ_s α_{t,s} (m_s W_icᵀ): projecting the S memory rows once replaces a (B, M)·(M, G·H)
/// GEMM per step by S·G·H multiply-adds per row (the context c_t is never formed).
/// It equals the step loop of <see cref="Seq2SeqDecoder{T}"/> (slice, <see cref="Attention{T}.Attend"/>, concat,
/// one recurrent step) to rounding. Backward through time by hand, per step from t = U−1 down:
/// <code>
/// dŝ = ∂L/∂s_t (+ the next step's)  → gate backward: dx̂_t, dâ_t (and ∂L/∂s_{t−1} direct part for GRU)
/// dα_{t,s} = dx̂_t·p_s;  de_{t,s} = α_{t,s} (dα_{t,s} − Σ_j α_{t,j} dα_{t,j});  ∂L/∂p_s += α_{t,s} dx̂_t
/// δ_{t,s} = de_{t,s} v ⊙ (1 − τ²);  ∂L/∂k_s += δ_{t,s};  dq_t = Σ_s δ_{t,s}
/// ∂L/∂s_{t−1} = [dq_t | dâ_t] [W_q; W_hh] (+ direct part)
/// </code>
/// then the weight gradients of all steps at once: ∂W_q, ∂W_hh from [dq | dâ]ᵀ s_{prev}, ∂W_ie = dx̂ᵀ e, ∂e = dx̂ W_ie,
/// ∂W_ic = ∂pᵀ m, ∂m = ∂p W_ic, ∂v = Σ de τ. Every step is row-local, so on a pool of several threads each block of batch rows runs
/// the whole time loop alone (no barrier per step); the values do not depend on the thread count.
/// With target lengths, row b runs its first n_b steps only: the rest is padding, whose outputs the loss ignores, so its
/// outputs and weights are 0 and it adds nothing to any gradient. The per-step GEMM covers each block's rows up to its
/// last live one, so rows sorted longest first (as <see cref="TranslationTask{T}"/> orders a batch) skip all padding;
/// the blocks are cut to hold equal numbers of live steps. At 37 % target padding this skips 37 % of the time loop.
/// The weights α come out as a value without a graph (the loss does not use them).
/// </summary>
internal static class FusedBahdanauDecoder
{
    /// <summary>
    /// Runs the decoder: embedded inputs (B, U, E), keys (B, S, A), memory (B, S, M), source lengths (B), s₀ (and c₀)
    /// (1, B, H) → outputs s₁ … s_U (B, U, H) and α (B, U, S). With <paramref name="targetLengths"/> (B), row b stops after
    /// its n_b steps (outputs and weights 0 past them); without, every row runs all U.
    /// </summary>
    public static (Var<T> Y, Var<T> Weights) Run<T>(RecurrentCell cell, Var<T> embedded, Var<T> keys, Var<T> memory, int[] lengths,
        Var<T> h0, Var<T>? c0, Var<T> wq, Var<T> v, RecurrentWeights<T> w, WorkerPool? pool, int[]? targetLengths = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => cell switch
        {
            RecurrentCell.Gru => FusedBahdanauDecoderNode<T, GruSpec>.Run(embedded, keys, memory, lengths, h0, c0, wq, v, w, pool, targetLengths),
            RecurrentCell.Lstm => FusedBahdanauDecoderNode<T, LstmSpec>.Run(embedded, keys, memory, lengths, h0, c0, wq, v, w, pool, targetLengths),
            _ => throw new ArgumentException($"FusedBahdanauDecoder: cell must be gru or lstm, got {cell}."),
        };

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the sizes when a buffer of the node would exceed one array: the
    /// attention tanh values B·U·S·A, the step projections B·U·(A + G·H), the projected memory B·S·G·H, the weights
    /// B·U·S or the packed [W_q; W_hh] (A + G·H)·H, each computed in 64 bits before anything is rented.
    /// </summary>
    internal static void CheckSizes(int b, int u, int s, int a, int gh, int h)
    {
        long n = (long)b * u, pw = (long)a + gh;
        const string owner = "FusedBahdanauDecoder", advice = "train on fewer or shorter pairs per batch, or with a smaller attention size.";
        // Each message is formed only for a size that fails (this runs once per batch).
        ShapeUtil.ArrayLength(n * s * a, owner, $"the attention tanh values B·U·S·A = {b}·{u}·{s}·{a}", advice);
        ShapeUtil.ArrayLength(n * pw, owner, $"the step projections B·U·(A + G·H) = {b}·{u}·({a} + {gh})", advice);
        ShapeUtil.ArrayLength((long)b * s * gh, owner, $"the projected memory B·S·G·H = {b}·{s}·{gh}", advice);
        ShapeUtil.ArrayLength(n * s, owner, $"the attention weights B·U·S = {b}·{u}·{s}", advice);
        ShapeUtil.ArrayLength(pw * h, owner, $"the packed [W_q; W_hh] (A + G·H)·H = ({a} + {gh})·{h}", advice);
    }
}

/// <summary>The node of <see cref="FusedBahdanauDecoder"/> for the cell <typeparamref name="TSpec"/>; buffers are (B, U, ·) batch-major.</summary>
internal sealed partial class FusedBahdanauDecoderNode<T, TSpec> : Node<T>, IParallelWork
    where T : unmanaged, IBinaryFloatingPointIeee754<T> where TSpec : struct, ICellSpec
{
    private readonly Var<T> _emb, _keys, _mem, _h0, _wq, _v;
    private readonly Var<T>? _c0;
    private readonly RecurrentWeights<T> _w;
    private readonly int[] _len, _steps, _bounds;   // source lengths; steps run per row; row blocks [_bounds[c], _bounds[c + 1])
    private readonly bool _padded;                  // some row runs fewer than U steps
    private readonly WorkerPool? _pool;
    private readonly int _b, _u, _s, _e, _m, _h, _a, _gh, _pw, _iw, _chunks;
    private bool _backward;
    private GemmPackedB<T>? _wcat;          // [W_q; W_hh], packed for the step GEMM (transposed in forward)

    // Saved for backward.
    private T[] _acts = [], _hPrev = [], _cPrev = [], _extra = [], _tau = [], _mp = [];
    private readonly Tensor<T> _alpha;
    // Forward workspaces.
    private T[] _xp = [], _p = [], _hCur = [], _cCur = [], _bhn = [], _bias = [];
    private Tensor<T>? _y;
    // Backward workspaces.
    private Tensor<T>? _dy;
    private T[] _dp = [], _dgx = [], _dh = [], _dc = [], _dhDirect = [], _dhNew = [], _de = [], _dk = [], _dmp = [];
    private readonly T[][] _scratch;        // per chunk: dα (S), δ (A), dŝ (H)

    private FusedBahdanauDecoderNode(Var<T> emb, Var<T> keys, Var<T> mem, int[] len, int[]? targetLengths, Var<T> h0, Var<T>? c0, Var<T> wq, Var<T> v,
        RecurrentWeights<T> w, WorkerPool? pool, Var<T>[] inputs) : base(inputs)
    {
        (_emb, _keys, _mem, _len, _h0, _c0, _wq, _v, _w, _pool) = (emb, keys, mem, len, h0, c0, wq, v, w, pool);
        (_b, _u, _e) = (emb.Value.Dim(0), emb.Value.Dim(1), emb.Value.Dim(2));
        (_s, _a, _m) = (keys.Value.Dim(1), keys.Value.Dim(2), mem.Value.Dim(2));
        _h = w.WeightHh.Value.Dim(1);
        (_gh, _iw) = (TSpec.Gates * _h, _e + _m);
        _pw = _a + _gh;
        _chunks = pool is { Threads: > 1 } ? Math.Max(1, Math.Min(_b, pool.Threads)) : 1;
        _scratch = new T[_chunks * 3][];
        for (int c = 0; c < _chunks; c++) (_scratch[3 * c], _scratch[3 * c + 1], _scratch[3 * c + 2]) = (new T[_s], new T[_a], new T[_h]);
        _alpha = Tensor<T>.Zeros(_b, _u, _s);
        _steps = new int[_b];
        for (int b = 0; b < _b; b++) _steps[b] = targetLengths is null ? _u : Math.Clamp(targetLengths[b], 0, _u);
        _padded = _steps.Any(n => n < _u);
        _bounds = Blocks(_steps, _chunks);
    }

    public override string OpName => "FusedBahdanauDecoder";

    public static (Var<T> Y, Var<T> Weights) Run(Var<T> emb, Var<T> keys, Var<T> mem, int[] lengths, Var<T> h0, Var<T>? c0, Var<T> wq, Var<T> v,
        RecurrentWeights<T> w, WorkerPool? pool, int[]? targetLengths)
    {
        int b = emb.Value.Dim(0), h = w.WeightHh.Value.Dim(1), gh = TSpec.Gates * h;
        int e = emb.Value.Dim(2), m = mem.Value.Dim(2), a = keys.Value.Dim(2);
        if (emb.Value.Rank != 3 || keys.Value.Rank != 3 || mem.Value.Rank != 3 || keys.Value.Dim(0) != b || mem.Value.Dim(0) != b
            || keys.Value.Dim(1) != mem.Value.Dim(1) || lengths.Length != b || h0.Value.Length != b * h || (c0 is not null && c0.Value.Length != b * h)
            || wq.Value.Dim(0) != a || wq.Value.Dim(1) != h || v.Value.Length != a || w.WeightIh.Value.Dim(1) != e + m || w.WeightHh.Value.Dim(0) != gh
            || (targetLengths is not null && targetLengths.Length != b))
            throw new ArgumentException($"FusedBahdanauDecoder: inconsistent shapes: embedded {emb.Value.ShapeString}, keys {keys.Value.ShapeString}, memory {mem.Value.ShapeString}, " +
                $"s0 {h0.Value.ShapeString}, W_q {wq.Value.ShapeString}, v {v.Value.ShapeString}, W_ih {w.WeightIh.Value.ShapeString}, W_hh {w.WeightHh.Value.ShapeString}, {lengths.Length} lengths, {targetLengths?.Length ?? b} target lengths.");
        if (TSpec.HasCellState != c0 is not null) throw new ArgumentException($"FusedBahdanauDecoder: the {TSpec.Cell} cell {(TSpec.HasCellState ? "needs" : "takes no")} c0.");
        FusedBahdanauDecoder.CheckSizes(b, emb.Value.Dim(1), keys.Value.Dim(1), a, gh, h);
        var inputs = new List<Var<T>> { emb, keys, mem, h0 };
        if (c0 is not null) inputs.Add(c0);
        inputs.AddRange([wq, v, w.WeightIh, w.WeightHh, w.BiasIh, w.BiasHh]);
        var node = new FusedBahdanauDecoderNode<T, TSpec>(emb, keys, mem, lengths, targetLengths, h0, c0, wq, v, w, pool, [.. inputs]);
        var y = node.Forward();
        var alpha = Var<T>.FromOp(node._alpha, null);
        if (!Tracks([.. inputs]))
        {
            node.ReturnSaved();
            return (Var<T>.FromOp(y, null), alpha);
        }
        return (Var<T>.FromOp(y, node), alpha);
    }

    private Tensor<T> Forward()
    {
        int B = _b, U = _u, H = _h, GH = _gh, n = B * U;
        (_acts, _hPrev, _tau, _mp) = (Rent(n * GH), Rent(n * H), Rent(n * _s * _a), Rent(B * _s * GH));
        ClearPadding(_hPrev, H);                                                   // read by ∂W_q, ∂W_hh (times dp = 0)
        if (TSpec.HasCellState) _cPrev = Rent(n * H);
        if (TSpec.SavesExtra) _extra = Rent(n * H);
        // x̂ = e W_ieᵀ for all steps in one GEMM; ForwardRows adds b to the live rows. GRU keeps b_hn apart (it sits inside r ⊙ (·)).
        var wih = _w.WeightIh.Value.Span;
        _xp = Rent(n * GH);
        Gemm.Compute(false, true, n, GH, _e, T.One, _emb.Value.Span, _e, wih, _iw, T.Zero, _xp, GH, _pool);
        _bias = new T[GH];                                                         // added to each live row's x̂ in ForwardRows
        TensorPrimitives.Add(_w.BiasIh.Value.Span, _w.BiasHh.Value.Span, _bias);
        if (TSpec.HiddenBiasApart)
        {
            _w.BiasIh.Value.Span.Slice(GH - H, H).CopyTo(_bias.AsSpan(GH - H));
            _bhn = _w.BiasHh.Value.Span.Slice(GH - H, H).ToArray();
        }
        Gemm.Compute(false, true, B * _s, GH, _m, T.One, _mem.Value.Span, _m, wih[_e..], _iw, T.Zero, _mp, GH, _pool);   // p = m W_icᵀ

        var wcat = Rent(_pw * H);                                                  // [W_q; W_hh] (A + G·H, H)
        _wq.Value.Span.CopyTo(wcat);
        _w.WeightHh.Value.Span.CopyTo(wcat.AsSpan(_a * H));
        _wcat = GemmPackedB<T>.Create(true, H, _pw, wcat, H);
        ArrayPool<T>.Shared.Return(wcat);
        (_p, _hCur) = (Rent(B * _pw), Rent(B * H));
        _h0.Value.Span.CopyTo(_hCur);
        if (TSpec.HasCellState) { _cCur = Rent(B * H); _c0!.Value.Span.CopyTo(_cCur); }
        _y = Tensor<T>.Zeros(B, U, H);

        RunChunks(backward: false);

        var y = _y;
        _wcat.Dispose();
        (_wcat, _y) = (null, null);
        Return(ref _xp); Return(ref _p); Return(ref _hCur); Return(ref _cCur);
        _bias = [];
        return y;
    }

    private void RunChunks(bool backward)
    {
        _backward = backward;
        if (_chunks == 1) Execute(0);
        else _pool!.Run(_chunks, this);
    }

    /// <summary>Rows [_bounds[c], _bounds[c + 1]), every step.</summary>
    public void Execute(int index)
    {
        int b0 = _bounds[index], b1 = _bounds[index + 1];
        if (b1 == b0) return;
        if (_backward) BackwardRows(b0, b1, _scratch[3 * index], _scratch[3 * index + 1], _scratch[3 * index + 2]);
        else ForwardRows(b0, b1);
    }

    private void ForwardRows(int b0, int b1)
    {
        int U = _u, S = _s, A = _a, H = _h, GH = _gh;
        var keys = _keys.Value.Span;
        var v = _v.Value.Span;
        var alpha = _alpha.Span;
        var y = _y!.Span;
        for (int t = 0; t < U; t++)
        {
            int end = LiveEnd(b0, b1, t);
            if (end == b0) break;
            for (int b = b0; b < end; b++)
            {
                if (t >= _steps[b]) continue;
                _hCur.AsSpan(b * H, H).CopyTo(_hPrev.AsSpan((b * U + t) * H, H));
                if (TSpec.HasCellState) _cCur.AsSpan(b * H, H).CopyTo(_cPrev.AsSpan((b * U + t) * H, H));
            }
            Gemm.Compute(false, end - b0, T.One, _hCur.AsSpan(b0 * H, (end - b0) * H), H, _wcat!, T.Zero, _p.AsSpan(b0 * _pw, (end - b0) * _pw), _pw, null);
            for (int b = b0; b < end; b++)
            {
                if (t >= _steps[b]) continue;
                int row = b * U + t, n = Math.Min(_len[b], S);
                var q = _p.AsSpan(b * _pw, A);
                var tau = _tau.AsSpan(row * S * A, S * A);
                var a = alpha.Slice(row * S, S);
                for (int s = 0; s < n; s++) TensorPrimitives.Add(keys.Slice((b * S + s) * A, A), q, tau.Slice(s * A, A));
                TensorPrimitives.Tanh(tau[..(n * A)], tau[..(n * A)]);            // τ = tanh(k_s + q_t)
                for (int s = 0; s < n; s++) a[s] = TensorPrimitives.Dot(tau.Slice(s * A, A), v);
                if (n > 0)
                {
                    var valid = a[..n];
                    T max = TensorPrimitives.Max(valid);
                    TensorPrimitives.Subtract(valid, max, valid);
                    TensorPrimitives.Exp(valid, valid);
                    TensorPrimitives.Divide(valid, TensorPrimitives.Sum(valid), valid);   // α = softmax(e[:n])
                }
                a[n..].Clear();
                var xp = _xp.AsSpan(row * GH, GH);
                TensorPrimitives.Add(xp, _bias, xp);                                   // x̂ = e W_ieᵀ + b
                for (int s = 0; s < n; s++) TensorPrimitives.MultiplyAdd(_mp.AsSpan((b * S + s) * GH, GH), a[s], xp, xp);   // x̂ += Σ α_s p_s
                var h = _hCur.AsSpan(b * H, H);
                TSpec.Forward<T>(xp, _p.AsSpan(b * _pw + A, GH), _bhn, h,
                    TSpec.HasCellState ? _cCur.AsSpan(b * H, H) : default, _acts.AsSpan(row * GH, GH),
                    TSpec.SavesExtra ? _extra.AsSpan(row * H, H) : default, GateWidth.Auto);
                h.CopyTo(y.Slice(row * H, H));
            }
        }
    }

    protected override void Backward(Tensor<T> gradOutput)
    {
        int B = _b, U = _u, H = _h, GH = _gh, n = B * U;
        _dy = gradOutput;
        (_dp, _dgx, _de) = (Rent(n * _pw), Rent(n * GH), Rent(n * _s));
        ClearPadding(_dp, _pw);                                                    // padding adds nothing to the weight gradients
        ClearPadding(_dgx, GH);
        (_dh, _dhNew) = (Rent(B * H), Rent(B * H));
        _dh.AsSpan(0, B * H).Clear();
        if (TSpec.HasCellState) { _dc = Rent(B * H); _dc.AsSpan(0, B * H).Clear(); }
        if (TSpec.DirectHiddenPath) _dhDirect = Rent(B * H);
        (_dk, _dmp) = (Rent(B * _s * _a), Rent(B * _s * GH));
        _dk.AsSpan(0, B * _s * _a).Clear();
        _dmp.AsSpan(0, B * _s * GH).Clear();
        var wih = _w.WeightIh.Value.Span;
        var wcat = Rent(_pw * H);
        _wq.Value.Span.CopyTo(wcat);
        _w.WeightHh.Value.Span.CopyTo(wcat.AsSpan(_a * H));
        _wcat = GemmPackedB<T>.Create(false, _pw, H, wcat, H);
        ArrayPool<T>.Shared.Return(wcat);

        RunChunks(backward: true);

        _wcat.Dispose();
        _wcat = null;
        AddInto(_h0, _dh.AsSpan(0, B * H));
        if (_c0 is not null) AddInto(_c0, _dc.AsSpan(0, B * H));
        AddInto(_keys, _dk.AsSpan(0, B * _s * _a));
        if (_mem.RequiresGrad)
            Gemm.Compute(false, false, B * _s, _m, GH, T.One, _dmp, GH, wih[_e..], _iw, T.One, GradOf(_mem).Span, _m, _pool);   // ∂m += ∂p W_ic
        if (_wq.RequiresGrad) WeightGradient(U, _steps, _dp, _pw, _a, _hPrev, H, H, GradOf(_wq).Span, H);                  // ∂W_q += dqᵀ s_prev
        if (_w.WeightHh.RequiresGrad) WeightGradient(U, _steps, _dp.AsSpan(_a), _pw, GH, _hPrev, H, H, GradOf(_w.WeightHh).Span, H);   // ∂W_hh += dâᵀ s_prev
        if (_w.WeightIh.RequiresGrad)
        {
            var g = GradOf(_w.WeightIh).Span;
            WeightGradient(U, _steps, _dgx, GH, GH, _emb.Value.Span, _e, _e, g, _iw);                                     // ∂W_ie += dx̂ᵀ e
            WeightGradient(_s, _len, _dmp, GH, GH, _mem.Value.Span, _m, _m, g[_e..], _iw);                              // ∂W_ic += ∂pᵀ m
        }
        if (_emb.RequiresGrad)
            Gemm.Compute(false, false, n, _e, GH, T.One, _dgx, GH, wih, _iw, T.One, GradOf(_emb).Span, _e, _pool);   // ∂e += dx̂ W_ie
        AddRowSums();                                                                                              // ∂b_ih, ∂b_hh, ∂v
        Return(ref _dp); Return(ref _dgx); Return(ref _de); Return(ref _dh); Return(ref _dhNew);
        Return(ref _dc); Return(ref _dhDirect); Return(ref _dk); Return(ref _dmp);
        _dy = null;
        ReturnSaved();
    }

    private void BackwardRows(int b0, int b1, T[] dAlpha, T[] delta, T[] dhTotal)
    {
        int U = _u, S = _s, A = _a, H = _h, GH = _gh;
        var v = _v.Value.Span;
        var alpha = _alpha.Span;
        var dy = _dy!.Span;
        for (int t = U - 1; t >= 0; t--)
        {
            int end = LiveEnd(b0, b1, t);
            if (end == b0) continue;
            for (int b = b0; b < end; b++)
            {
                if (t >= _steps[b]) continue;
                int row = b * U + t;
                TensorPrimitives.Add(_dh.AsSpan(b * H, H), dy.Slice(row * H, H), dhTotal);
                var dgx = _dgx.AsSpan(row * GH, GH);
                var dgh = _dp.AsSpan(row * _pw + A, GH);
                TSpec.Backward<T>(_acts.AsSpan(row * GH, GH), _hPrev.AsSpan(row * H, H),
                    TSpec.HasCellState ? _cPrev.AsSpan(row * H, H) : default, TSpec.SavesExtra ? _extra.AsSpan(row * H, H) : default,
                    dhTotal, TSpec.HasCellState ? _dc.AsSpan(b * H, H) : default,
                    TSpec.DirectHiddenPath ? _dhDirect.AsSpan(b * H, H) : default, dgx, TSpec.HiddenBiasApart ? dgh : default, GateWidth.Auto);
                if (!TSpec.HiddenBiasApart) dgx.CopyTo(dgh);
            }
            for (int b = b0; b < end; b++)
            {
                if (t >= _steps[b]) continue;
                int row = b * U + t, n = Math.Min(_len[b], S);
                var dxp = _dgx.AsSpan(row * GH, GH);
                var a = alpha.Slice(row * S, S);
                var tau = _tau.AsSpan(row * S * A, S * A);
                var de = _de.AsSpan(row * S, S);
                T sum = T.Zero;
                for (int s = 0; s < n; s++)
                {
                    dAlpha[s] = TensorPrimitives.Dot(dxp, _mp.AsSpan((b * S + s) * GH, GH));                   // dα_s = dx̂·p_s
                    sum += a[s] * dAlpha[s];
                }
                var dq = _dp.AsSpan(row * _pw, A);
                dq.Clear();
                for (int s = 0; s < n; s++)
                {
                    de[s] = a[s] * (dAlpha[s] - sum);                                                           // softmax backward
                    var ts = tau.Slice(s * A, A);
                    TensorPrimitives.Multiply(ts, ts, delta);
                    TensorPrimitives.Subtract(T.One, delta, delta);
                    TensorPrimitives.Multiply(delta, v, delta);
                    TensorPrimitives.Multiply(delta, de[s], delta);                                              // δ = de v (1 − τ²)
                    var dk = _dk.AsSpan((b * S + s) * A, A);
                    TensorPrimitives.Add(dk, delta, dk);
                    TensorPrimitives.Add(dq, delta, dq);
                    var dp = _dmp.AsSpan((b * S + s) * GH, GH);
                    TensorPrimitives.MultiplyAdd(dxp, a[s], dp, dp);                                             // ∂p_s += α_s dx̂
                }
            }
            // ∂L/∂s_{t−1} = [dq | dâ] [W_q; W_hh] (+ GRU's direct part).
            int rows = end - b0;
            Gemm.Compute(false, rows, T.One, _dp.AsSpan((b0 * U + t) * _pw, (rows - 1) * U * _pw + _pw), U * _pw, _wcat!, T.Zero,
                _dhNew.AsSpan(b0 * H, rows * H), H, null);
            for (int b = b0; b < end; b++)
            {
                if (t >= _steps[b]) continue;                                           // ∂L/∂s stays 0 until the row's last step
                var dh = _dh.AsSpan(b * H, H);
                _dhNew.AsSpan(b * H, H).CopyTo(dh);
                if (TSpec.DirectHiddenPath) TensorPrimitives.Add(dh, _dhDirect.AsSpan(b * H, H), dh);
            }
        }
    }

    /// <summary>
    /// ∂W += dAᵀ X over all B·<paramref name="steps"/> rows (dA columns [0, <paramref name="width"/>) with row stride
    /// <paramref name="lda"/>), in chunks of whole batch rows so that each row's steps start a KC slice of the GEMM (as the
    /// fused recurrent layer does): a sequence gets the same weight gradient alone or padded in a batch. Above 5/4·KC = 320
    /// steps a chunk is one row, and its product stops at the row's <paramref name="valid"/> steps (source length, or the
    /// target steps run), past which dA is zero: a row of 257–320 valid steps is then one k slice, as it is alone.
    /// </summary>
    private void WeightGradient(int steps, ReadOnlySpan<int> valid, ReadOnlySpan<T> dA, int lda, int width, ReadOnlySpan<T> x, int ldx, int cols, Span<T> dW, int ldw)
    {
        var blocking = GemmBlocking.For<T>();
        int rows = Math.Max(1, blocking.KC / steps);
        bool stopAtValid = steps > blocking.MaxKC;
        for (int r = 0; r < _b; r += rows)
        {
            int k = stopAtValid ? Math.Clamp(valid[r], 0, steps) : Math.Min(rows, _b - r) * steps;
            if (k == 0) continue;
            Gemm.Compute(true, false, width, cols, k, T.One, dA[(r * steps * lda)..], lda, x[(r * steps * ldx)..], ldx, T.One, dW, ldw, _pool);
        }
    }

    private void ReturnSaved()
    {
        Return(ref _acts); Return(ref _hPrev); Return(ref _cPrev); Return(ref _extra); Return(ref _tau); Return(ref _mp);
    }

    private void AddInto(Var<T> x, ReadOnlySpan<T> grad)
    {
        if (!x.RequiresGrad) return;
        var g = GradOf(x).Span;
        TensorPrimitives.Add(g, grad, g);
    }

    private static T[] Rent(int length) => length == 0 ? [] : ArrayPool<T>.Shared.Rent(length);

    private static void Return(ref T[] array)
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array);
        array = [];
    }
}
