using System.Buffers;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// The per-time-step gate work of one direction of a <see cref="FusedRecurrentNode{T, TSpec}"/>: the fused gate kernel
/// over the batch rows (forward) and its backward, split into contiguous row ranges that a
/// <see cref="WorkerPool"/> runs in parallel. Each row is independent, so the result does not depend on the
/// thread count. All buffers are taken once per call from <see cref="ArrayPool{T}.Shared"/> (fresh multi-megabyte
/// arrays cost more in page faults and full GCs than the whole forward pass) and given back after backward
/// (or right after forward when no graph is recorded); a step allocates nothing. Pooled arrays may be longer
/// than asked for, so every use is limited to the exact length (a slice, or a GEMM's own m × n extent). The gate kernel
/// is <typeparamref name="TSpec"/>'s, called directly (the class is compiled once per cell).
/// </summary>
internal sealed class FusedRecurrentSteps<T, TSpec> : IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T> where TSpec : struct, ICellSpec
{
    private readonly int _b, _t, _h, _gh, _dh, _dirOffset, _chunks;
    private readonly int[] _len;
    private readonly GateWidth _width; // the gate kernel's vector width (Auto unless a path is forced)
    private readonly T[][] _dhTotal; // per chunk (H)
    private int _step;
    private bool _backward;
    private bool _reverse;
    private GemmPackedB<T>? _whh; // set for the duration of a row-block sequence: W_hhᵀ (forward) or W_hh (backward), packed
    private T[] _dhNew = [];      // (B, H) the step GEMM's output in a backward sequence

    /// <summary>
    /// <see cref="RowSequences"/> is used up to this W_hh size, G·H·H elements unpadded (1 MiB: LSTM H = 256, GRU H ≤ 295,
    /// RNN H = 512 in float). Above it every core re-reading the whole matrix each step costs more than the per-step barriers it
    /// saves (LSTM and GRU at H = 512 ran at medians of 0.96× and 0.97× the column split; docs/results/2026-12.md).
    /// </summary>
    internal const long RowSequencesMaxPackedBytes = 1 << 20;

    /// <summary>
    /// True on a pool of several threads with at least two batch rows and a packed W_hh of at most
    /// <see cref="RowSequencesMaxPackedBytes"/>: the whole time loop is then one pool call whose
    /// items are blocks of batch rows, each running every step for its rows alone (state copy, its rows of the step
    /// GEMM and of the gate kernel forward; its rows of the gate backward, of dÂ_t W_hh and of the ∂L/∂h update
    /// backward). Every one of those is row-local (row b of step t needs only row b of step t ∓ 1), so the row blocks
    /// never wait for each other: no barrier per step, and the split changes no value. Each block reads the whole
    /// packed W_hh every step. Otherwise the steps run one by one, each step's GEMM free to split its columns over the
    /// pool and the gate kernel its rows.
    /// </summary>
    public bool RowSequences { get; }

    public FusedRecurrentSteps(int b, int t, int h, int d, int direction, int[] lengths, WorkerPool? pool, GateWidth width)
    {
        (_b, _t, _h, _gh, _dh, _dirOffset, _len, _width) = (b, t, h, TSpec.Gates * h, d * h, direction * h, lengths, width);
        _chunks = Math.Max(1, Math.Min(b, pool?.Threads ?? 1));
        Acts = TSpec.ActsAreHidden ? [] : Rent(b * t * _gh);
        HPrev = Rent(b * t * h);
        CPrev = TSpec.HasCellState ? Rent(b * t * h) : [];
        Extra = TSpec.SavesExtra ? Rent(b * t * h) : [];
        RowSequences = pool is { Threads: > 1 } && _chunks > 1 && (long)h * _gh * Unsafe.SizeOf<T>() <= RowSequencesMaxPackedBytes;
        _dhTotal = new T[_chunks][];
        for (int c = 0; c < _chunks; c++) _dhTotal[c] = new T[h];
    }

    /// <summary>A pooled array of at least <paramref name="length"/> elements (contents undefined), its pages mapped (<see cref="PageCommit"/>).</summary>
    public static T[] Rent(int length)
    {
        if (length == 0) return [];
        var array = ArrayPool<T>.Shared.Rent(length);
        PageCommit.Populate(array.AsSpan(0, length));
        return array;
    }

    /// <summary>Gives <paramref name="array"/> back to the pool and leaves the field empty.</summary>
    public static void Return(ref T[] array)
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array);
        array = [];
    }

    /// <summary>Gives back the arrays saved for backward (once backward is done, or when nothing will run it).</summary>
    public void ReturnSaved()
    {
        Return(ref _acts); Return(ref _hPrev); Return(ref _cPrev); Return(ref _extra);
        Y = null;
    }

    // ---- saved for backward, batch-major (B, T, ·) like the input --------------------------------

    private T[] _acts = [], _hPrev = [], _cPrev = [], _extra = [];
    /// <summary>
    /// (B, T, G·H) gate activations. Empty for a cell whose only activation is h' (<see cref="ICellSpec.ActsAreHidden"/>):
    /// backward reads h' from the output <see cref="Y"/>, which holds it already (a second copy of the layer's whole
    /// output, 13 MB at B = 64, T = 100, H = 512, cost a tenth of the pass: docs/rnn.md#rnn-performance).
    /// </summary>
    public T[] Acts { get => _acts; private init => _acts = value; }
    /// <summary>(B, T, H) the state entering each step.</summary>
    public T[] HPrev { get => _hPrev; private init => _hPrev = value; }
    /// <summary>(B, T, H) LSTM: c entering each step.</summary>
    public T[] CPrev { get => _cPrev; private init => _cPrev = value; }
    /// <summary>(B, T, H) LSTM: tanh(c'); GRU: ĥn = h W_hnᵀ + b_hn.</summary>
    public T[] Extra { get => _extra; private init => _extra = value; }

    // ---- forward workspaces (set by the node before the loop) ---------------------------------------

    /// <summary>
    /// x W_ihᵀ + biases: (B·T, G·H) for every step, computed by the node before the loop; or, when <see cref="InputPanels"/>
    /// is set, (B, G·H) for the current step only, computed by each row block inside its <see cref="RowSequences"/> loop.
    /// </summary>
    public T[] XProj = [];
    /// <summary>
    /// W_ihᵀ (in, G·H) packed once per call, set for a <see cref="RowSequences"/> forward pass: each row block then
    /// computes its rows of x_t W_ihᵀ + b right before the step's own product, so they are read while still in cache
    /// instead of from a (B·T, G·H) buffer written long before (docs/rnn.md#fused-path). A GEMM's element does not
    /// depend on how many rows the product has, so the values equal the all-steps product's.
    /// </summary>
    public GemmPackedB<T>? InputPanels;
    /// <summary>The layer's input X (B, T, in) and b_ih + b_hh (G·H), read with <see cref="InputPanels"/>.</summary>
    public Tensor<T>? X;
    public T[] Bias = [];
    /// <summary>(B, G·H) h W_hhᵀ of the current step.</summary>
    public T[] Hp = [];
    /// <summary>(B, H) running h and (LSTM) c.</summary>
    public T[] HCur = [], CCur = [];
    /// <summary>(H) GRU b_hn.</summary>
    public T[] Bhn = [];
    /// <summary>The node's output Y (B, T, D·H), written row by row by forward; read by backward when <see cref="ICellSpec.ActsAreHidden"/>.</summary>
    public Tensor<T>? Y;

    // ---- backward workspaces ----------------------------------------------------------------------

    /// <summary>(B, T, G·H) pre-activation gradients, input side and hidden side (the same array except for GRU).</summary>
    public T[] DGx = [], DGh = [];
    /// <summary>(B, H) ∂L/∂h and ∂L/∂c flowing back; GRU's direct part dh ⊙ z.</summary>
    public T[] Dh = [], Dc = [], DhDirect = [];
    /// <summary>∂L/∂Y (B, T, D·H), the node's upstream gradient (read only).</summary>
    public Tensor<T>? DY;

    /// <summary>Runs the gate kernel for every active row of step <paramref name="t"/>.</summary>
    public void Forward(int t, WorkerPool? pool) => Run(t, backward: false, pool);

    /// <summary>Runs the gate kernel's backward for every active row of step <paramref name="t"/>.</summary>
    public void Backward(int t, WorkerPool? pool) => Run(t, backward: true, pool);

    /// <summary>
    /// The whole forward time loop of a <see cref="RowSequences"/> layer (steps T−1 … 0 when <paramref name="reverse"/>):
    /// per row block and step, save h (and c) into HPrev (CPrev), Hp = h W_hhᵀ (<paramref name="whhT"/>), the gate kernel.
    /// </summary>
    public void ForwardSequence(GemmPackedB<T> whhT, bool reverse, WorkerPool pool) => RunSequence(whhT, backward: false, reverse, pool);

    /// <summary>
    /// The whole backward time loop of a <see cref="RowSequences"/> layer, in the opposite order of the forward one: per
    /// row block and step, the gate backward, ∂L/∂h entering step t = dÂ_t W_hh (<paramref name="whh"/>) into
    /// <paramref name="dhNew"/>, and Dh (+ GRU's dh ⊙ z) for the active rows.
    /// </summary>
    public void BackwardSequence(GemmPackedB<T> whh, T[] dhNew, bool reverse, WorkerPool pool)
    {
        _dhNew = dhNew;
        RunSequence(whh, backward: true, reverse, pool);
        _dhNew = [];
    }

    private void RunSequence(GemmPackedB<T> whh, bool backward, bool reverse, WorkerPool pool)
    {
        (_backward, _reverse, _whh) = (backward, reverse, whh);
        pool.Run(_chunks, this);
        _whh = null;
    }

    private void Run(int t, bool backward, WorkerPool? pool)
    {
        (_step, _backward) = (t, backward);
        if (pool is null || _chunks == 1)
            for (int c = 0; c < _chunks; c++) Execute(c);
        else
            pool.Run(_chunks, this);
    }

    /// <summary>Rows [c·B/chunks, (c+1)·B/chunks).</summary>
    public void Execute(int index)
    {
        int b0 = index * _b / _chunks, b1 = (index + 1) * _b / _chunks;
        if (_whh is not null) RowSequence(b0, b1, _dhTotal[index]);
        else if (_backward) BackwardRows(_step, b0, b1, _dhTotal[index]);
        else ForwardRows(_step, b0, b1);
    }

    /// <summary>Rows [b0, b1) of a <see cref="RowSequences"/> time loop: the node's per-step loop body, restricted to those rows.</summary>
    private void RowSequence(int b0, int b1, T[] dhTotal)
    {
        int H = _h, GH = _gh, rows = b1 - b0, lda = _t * GH;
        if (rows == 0) return;
        for (int step = 0; step < _t; step++)
        {
            int t = _backward == _reverse ? step : _t - 1 - step; // forward: 0 … T−1 (reverse: T−1 … 0); backward the other way
            if (!_backward)
            {
                SaveState(t, b0, b1);
                if (InputPanels is { } wihT) StepInputs(wihT, t, b0, b1);
                Gemm.Compute(false, rows, T.One, HCur.AsSpan(b0 * H, rows * H), H, _whh!, T.Zero, Hp.AsSpan(b0 * GH, rows * GH), GH, null);
                ForwardRows(t, b0, b1);
                continue;
            }
            BackwardRows(t, b0, b1, dhTotal);
            Gemm.Compute(false, rows, T.One, DGh.AsSpan((b0 * _t + t) * GH, (rows - 1) * lda + GH), lda, _whh!, T.Zero, _dhNew.AsSpan(b0 * H, rows * H), H, null);
            TakeDh(t, b0, b1, _dhNew);
        }
    }

    /// <summary>Rows [b0, b1) of x_t W_ihᵀ + b into the one-step <see cref="XProj"/> (B, G·H).</summary>
    private void StepInputs(GemmPackedB<T> wihT, int t, int b0, int b1)
    {
        int GH = _gh, cols = wihT.K, rows = b1 - b0, ldx = _t * cols;
        var xp = XProj.AsSpan(b0 * GH, rows * GH);
        Gemm.Compute(false, rows, T.One, X!.Span.Slice((b0 * _t + t) * cols, (rows - 1) * ldx + cols), ldx, wihT, T.Zero, xp, GH, null);
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(xp.Slice(r * GH, GH), Bias, xp.Slice(r * GH, GH));
    }

    /// <summary>Saves the state entering step <paramref name="t"/> of rows [b0, b1): h into HPrev (and c into CPrev).</summary>
    public void SaveState(int t, int b0, int b1)
    {
        int H = _h;
        for (int b = b0; b < b1; b++)
        {
            HCur.AsSpan(b * H, H).CopyTo(HPrev.AsSpan((b * _t + t) * H, H));
            if (TSpec.HasCellState) CCur.AsSpan(b * H, H).CopyTo(CPrev.AsSpan((b * _t + t) * H, H));
        }
    }

    /// <summary>
    /// ∂L/∂h entering step <paramref name="t"/> for rows [b0, b1): Dh = dhNew (= dÂ_t W_hh) + GRU's direct part dh ⊙ z;
    /// rows past their length pass dh through unchanged.
    /// </summary>
    public void TakeDh(int t, int b0, int b1, T[] dhNew)
    {
        int H = _h;
        for (int b = b0; b < b1; b++)
        {
            if (t >= _len[b]) continue;
            var dh = Dh.AsSpan(b * H, H);
            dhNew.AsSpan(b * H, H).CopyTo(dh);
            if (TSpec.DirectHiddenPath) TensorPrimitives.Add(dh, DhDirect.AsSpan(b * H, H), dh);
        }
    }

    private void ForwardRows(int t, int b0, int b1)
    {
        int H = _h, GH = _gh;
        for (int b = b0; b < b1; b++)
        {
            if (t >= _len[b]) continue; // past the sequence: state carried, output stays zero
            int row = b * _t + t;
            var xp = XProj.AsSpan((InputPanels is null ? row : b) * GH, GH);
            var hp = Hp.AsSpan(b * GH, GH);
            var y = Y!.Span.Slice(row * _dh + _dirOffset, H);
            var acts = TSpec.ActsAreHidden ? y : Acts.AsSpan(row * GH, GH); // a cell whose activation is h' writes it into Y directly
            var h = HCur.AsSpan(b * H, H);
            var c = TSpec.HasCellState ? CCur.AsSpan(b * H, H) : default;
            var extra = TSpec.SavesExtra ? Extra.AsSpan(row * H, H) : default;
            TSpec.Forward<T>(xp, hp, Bhn, h, c, acts, extra, _width);
            if (!TSpec.ActsAreHidden) h.CopyTo(y);
        }
    }

    private void BackwardRows(int t, int b0, int b1, T[] dhTotal)
    {
        int H = _h, GH = _gh;
        for (int b = b0; b < b1; b++)
        {
            if (t >= _len[b]) continue; // no gate gradient; dh and dc pass through unchanged
            int row = b * _t + t;
            TensorPrimitives.Add(Dh.AsSpan(b * H, H), DY!.Span.Slice(row * _dh + _dirOffset, H), dhTotal);
            var acts = TSpec.ActsAreHidden ? Y!.Span.Slice(row * _dh + _dirOffset, H) : Acts.AsSpan(row * GH, GH);
            TSpec.Backward<T>(acts, HPrev.AsSpan(row * H, H),
                TSpec.HasCellState ? CPrev.AsSpan(row * H, H) : default,
                TSpec.SavesExtra ? Extra.AsSpan(row * H, H) : default,
                dhTotal,
                TSpec.HasCellState ? Dc.AsSpan(b * H, H) : default,
                TSpec.DirectHiddenPath ? DhDirect.AsSpan(b * H, H) : default,
                DGx.AsSpan(row * GH, GH),
                TSpec.HiddenBiasApart ? DGh.AsSpan(row * GH, GH) : default, _width);
        }
    }
}
