using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// One recurrent layer (every direction) as a single autograd node — the fused path (docs/rnn.md#fused-path).
/// Forward, per direction: one GEMM X W_ihᵀ (B·T, G·H) for all steps (in a row-block time loop, each block's rows of
/// x_t W_ihᵀ per step instead), then per step one GEMM h W_hhᵀ (B, G·H) and the fused gate kernel. Backward through
/// time is written by hand: per step the gate kernel's backward and one GEMM dÂ W_hh (B, H); after the loop three
/// GEMMs give ∂L/∂W_ih, ∂L/∂X and ∂L/∂W_hh for all steps at once (with lengths, the two weight gradients in chunks of
/// whole rows, so each row's sum does not depend on its batch: docs/masking.md §3.4). Only what backward needs is saved
/// (gate activations, the state entering each step, and tanh(c') for LSTM or ĥn for GRU); the per-step loops allocate
/// nothing. <typeparamref name="TSpec"/> is the cell
/// (<see cref="ICellSpec"/>): the code is compiled once per cell, so its flags are constants here.
/// </summary>
/// <remarks>
/// The node's value is Y (B, T, D·H); the final h_T (and c_T) (D, B, H) come out as values of small
/// <see cref="FinalStateNode"/>s that pass their gradient to this node (the engine has one output per node). With per-sequence lengths, a row b is
/// active at step t when t &lt; len_b: inactive rows output zero and carry their state unchanged, so the
/// final state is the one at the last valid step and the reverse direction starts at step len_b − 1.
/// </remarks>
internal sealed class FusedRecurrentNode<T, TSpec> : Node<T>, IParallelWork where T : unmanaged, IBinaryFloatingPointIeee754<T> where TSpec : struct, ICellSpec
{
    private readonly Var<T> _x, _h0;
    private readonly Var<T>? _c0;
    private readonly RecurrentWeights<T>[] _w;
    private readonly int[] _len;
    private bool _rowAligned;   // weight gradients sum each row's steps as one chain (see WeightGradient)
    private Tensor<T>? _y;      // the node's value Y
    private bool _pooledOutput; // Y's storage is rented: given back at the end of backward
    private bool _ownsInput;    // X's storage is a rented lower output that no other node gives back: given back at the end of backward
    private readonly WorkerPool? _pool, _stepPool;
    private readonly KernelPath _kernels; // the vector path of every GEMM and gate kernel of the layer
    private readonly int _b, _t, _in, _h, _d, _gh;
    private readonly FusedRecurrentSteps<T, TSpec>[] _steps;

    private FusedRecurrentNode(Var<T> x, Var<T> h0, Var<T>? c0, RecurrentWeights<T>[] w, int[] len, WorkerPool? pool, bool parallelSteps, KernelPath kernels,
        Var<T>[] inputs)
        : base(inputs)
    {
        (_x, _h0, _c0, _w, _len, _pool, _kernels) = (x, h0, c0, w, len, pool, kernels);
        _stepPool = parallelSteps ? pool : null;
        (_b, _t, _in) = (x.Value.Dim(0), x.Value.Dim(1), x.Value.Dim(2));
        _h = w[0].WeightHh.Value.Dim(1);
        _d = w.Length;
        _gh = TSpec.Gates * _h;
        _steps = new FusedRecurrentSteps<T, TSpec>[_d];
        for (int d = 0; d < _d; d++) _steps[d] = new FusedRecurrentSteps<T, TSpec>(_b, _t, _h, _d, d, len, _stepPool, kernels.Gates);
    }

    /// <summary>
    /// Runs the layer. x (B, T, in); h0, c0 (D, B, H); one <see cref="RecurrentWeights{T}"/> per direction
    /// (forward first); <paramref name="lengths"/> per row or null for all T. <paramref name="pool"/> runs the
    /// all-steps GEMMs; with <paramref name="parallelSteps"/> it also runs each step's GEMM and gate kernel. <paramref name="kernels"/> is
    /// the vector path of all of them (<see cref="KernelPath.Default"/> unless forced).
    /// Returns Y (B, T, D·H), whose creator
    /// is this node, and the final h (and c) (D, B, H), whose creators hand their gradients to this node.
    /// </summary>
    /// <remarks>
    /// With <paramref name="pooledOutput"/> (a lower layer of a stack, whose Y only the next layer reads) Y's storage is
    /// rented (<see cref="Tensor{T}.RentZeros(int[])"/>) and given back at the end of this node's backward: by then the next
    /// layer's backward, the only other reader, has run (it is downstream). A layer that records no node leaves its Y to
    /// the next layer, which is then run with <paramref name="ownsInput"/>: it gives x's storage back at the end of its own
    /// backward (whose ∂W_ih reads x), or right after its forward when it records no node either. Fresh multi-megabyte
    /// outputs cost a page fault per 4 KiB page on first write (docs/rnn.md#rnn-performance). The top layer's Y is the
    /// caller's: its storage comes from the pool too (<see cref="Tensor{T}.PooledZeros"/>) and goes back when the caller
    /// releases it (<see cref="Var{T}.Release"/>), else the GC collects it.
    /// </remarks>
    public static (Var<T> Y, Var<T> H, Var<T>? C) Run(Var<T> x, Var<T> h0, Var<T>? c0, RecurrentWeights<T>[] w, int[]? lengths, WorkerPool? pool, bool parallelSteps,
        KernelPath kernels, bool pooledOutput = false, bool ownsInput = false)
    {
        var inputs = new List<Var<T>> { x, h0 };
        if (c0 is not null) inputs.Add(c0);
        foreach (var p in w) inputs.AddRange([p.WeightIh, p.WeightHh, p.BiasIh, p.BiasHh]);
        int b = x.Value.Dim(0), t = x.Value.Dim(1);
        var len = lengths is null ? Enumerable.Repeat(t, b).ToArray() : (int[])lengths.Clone();   // backward reads them: the caller may reuse its array
        var node = new FusedRecurrentNode<T, TSpec>(x, h0, c0, w, len, pool, parallelSteps, kernels, [.. inputs]) { _rowAligned = lengths is not null || !SlicesFallOnRows(b, t) };
        int d = node._d, h = node._h;
        var y = pooledOutput ? Tensor<T>.RentZeros(b, t, d * h) : Tensor<T>.PooledZeros(b, t, d * h); // the caller's: back to the pool by Release
        node._y = y;
        node._pooledOutput = pooledOutput;
        var hT = Tensor<T>.Zeros(d, b, h);
        var cT = TSpec.HasCellState ? Tensor<T>.Zeros(d, b, h) : null;
        (node._hT, node._cT, node._backward) = (hT, cT, false);
        node.RunDirections();
        (node._hT, node._cT) = (null, null);
        if (!Tracks([.. inputs]))
        {
            foreach (var s in node._steps) s.ReturnSaved();
            if (ownsInput) x.Value.ReturnRented();
            return (Var<T>.FromOp(y, null), Var<T>.FromOp(hT, null), cT is null ? null : Var<T>.FromOp(cT, null));
        }
        node._ownsInput = ownsInput;
        var yVar = Var<T>.FromOp(y, node);
        var hVar = Var<T>.FromOp(hT, new FinalStateNode(yVar, node.GradHT = Tensor<T>.ZerosLike(hT)));
        var cVar = cT is null ? null : Var<T>.FromOp(cT, new FinalStateNode(yVar, node.GradCT = Tensor<T>.ZerosLike(cT)));
        return (yVar, hVar, cVar);
    }

    /// <summary>∂L/∂h_T and ∂L/∂c_T (D, B, H), filled by the final-state nodes before this node's backward runs.</summary>
    private Tensor<T>? GradHT, GradCT;

    /// <summary>
    /// The creator of a final state: its backward adds ∂L/∂state into the layer node's buffer. Its input is Y, so
    /// the graph order runs it before the layer node; asking for Y's gradient makes sure the layer node runs
    /// even when the loss uses only the final state.
    /// </summary>
    private sealed class FinalStateNode(Var<T> y, Tensor<T> gradSink) : Node<T>(y)
    {
        public override string OpName => "RecurrentFinalState";

        protected override void Backward(Tensor<T> gradOutput)
        {
            _ = GradOf(y);
            TensorPrimitives.Add(gradSink.Span, gradOutput.Span, gradSink.Span);
        }
    }

    private bool Reverse(int d) => d == 1;

    private Tensor<T>? _hT, _cT;   // forward's final-state outputs, while the directions run
    private Tensor<T>? _dY;        // backward's ∂L/∂Y, while the directions run
    private bool _backward;

    /// <summary>
    /// Runs every direction's forward or backward time loop. On a pool of several threads the two directions of a
    /// bidirectional layer run at once, one per thread (their loops never meet; the GEMMs inside run on that thread); each
    /// direction computes the same values either way, so the result does not depend on the thread count.
    /// </summary>
    private void RunDirections()
    {
        if (_d == 2 && _pool is { Threads: > 1 }) _pool.Run(2, this);
        else for (int d = 0; d < _d; d++) Execute(d);
    }

    /// <summary>Direction <paramref name="index"/>'s forward or backward time loop.</summary>
    public void Execute(int index)
    {
        if (_backward) BackwardDirection(index, _dY!);
        else ForwardDirection(index, _y!, _hT!, _cT);
    }

    private void ForwardDirection(int d, Tensor<T> y, Tensor<T> hT, Tensor<T>? cT)
    {
        int B = _b, T_ = _t, H = _h, GH = _gh;
        var w = _w[d];
        var s = _steps[d];

        // X W_ihᵀ + b: (B·T, G·H) for every step at once, or in a row-block time loop one step at a time, (B, G·H).
        // With HiddenBiasApart the last gate's b_hh stays out (GRU's b_hn sits inside r ⊙ (·)).
        var bias = new T[GH];
        TensorPrimitives.Add(w.BiasIh.Value.Span, w.BiasHh.Value.Span, bias);
        if (TSpec.HiddenBiasApart)
        {
            int last = GH - H;
            w.BiasIh.Value.Span.Slice(last, H).CopyTo(bias.AsSpan(last));
            s.Bhn = w.BiasHh.Value.Span.Slice(last, H).ToArray();
        }
        using var wihT = s.RowSequences ? GemmPackedB<T>.Create(_kernels.GemmFor<T>(), GemmBlocking.For<T>(), true, _in, GH, w.WeightIh.Value.Span, _in) : null;
        if (wihT is not null)
        {
            s.XProj = Rent(B * GH);
            (s.InputPanels, s.X, s.Bias) = (wihT, _x.Value, bias);
        }
        else
        {
            s.XProj = Rent(B * T_ * GH);
            Gemm.Compute(_kernels, false, true, B * T_, GH, _in, T.One, _x.Value.Span, _in, w.WeightIh.Value.Span, _in, T.Zero, s.XProj, GH, _pool);
            for (int r = 0; r < B * T_; r++) TensorPrimitives.Add(s.XProj.AsSpan(r * GH, GH), bias, s.XProj.AsSpan(r * GH, GH));
        }

        // W_hhᵀ (H, G·H) packed once per call into the GEMM's panel layout: the T per-step GEMMs read it ready-made
        // instead of re-packing it every step (4 MB for an LSTM at H = 512, four times the L2).
        using var whhT = GemmPackedB<T>.Create(_kernels.GemmFor<T>(), GemmBlocking.For<T>(), true, H, GH, w.WeightHh.Value.Span, H);
        s.Hp = Rent(B * GH);                                                   // (B, G·H)
        s.HCur = Rent(B * H);                                                  // (B, H)
        _h0.Value.Span.Slice(d * B * H, B * H).CopyTo(s.HCur);
        s.CCur = _c0 is null ? [] : Rent(B * H);
        _c0?.Value.Span.Slice(d * B * H, B * H).CopyTo(s.CCur);
        s.Y = y;

        if (s.RowSequences) s.ForwardSequence(whhT, Reverse(d), _stepPool!);
        else
            for (int step = 0; step < T_; step++)
            {
                int t = Reverse(d) ? T_ - 1 - step : step;
                s.SaveState(t, 0, B);
                Gemm.Compute(false, B, T.One, s.HCur, H, whhT, T.Zero, s.Hp, GH, _stepPool);
                s.Forward(t, _stepPool);
            }
        s.HCur.AsSpan(0, B * H).CopyTo(hT.Span.Slice(d * B * H, B * H));
        if (cT is not null) s.CCur.AsSpan(0, B * H).CopyTo(cT.Span.Slice(d * B * H, B * H));
        // Forward-only workspaces are not needed by backward.
        (s.InputPanels, s.X, s.Bias) = (null, null, []);
        Return(ref s.XProj); Return(ref s.Hp); Return(ref s.HCur); Return(ref s.CCur);
    }

    protected override void Backward(Tensor<T> gradOutput)
    {
        if (_x.GraphReleased) // a second backward through a stack whose lower layer already ran: its pooled Y is gone
            throw new InvalidOperationException("Backward: trying to backpropagate through a part of the graph that an earlier Backward already released. Recompute the forward pass.");
        if (_h0.RequiresGrad) _ = GradOf(_h0);                        // created once, before the directions add into their slices
        if (_c0 is { RequiresGrad: true }) _ = GradOf(_c0);
        (_dY, _backward) = (gradOutput, true);
        RunDirections();
        // ∂L/∂X = Σ_d dÂ_d W_ih,d: both directions add into the same buffer, so in order, after the loops.
        for (int d = 0; d < _d; d++) InputGradient(d);
        _dY = null;
        if (_pooledOutput) _y!.ReturnRented(); // the next layer's backward (the only other reader of Y) has run
        if (_ownsInput) _x.Value.ReturnRented(); // read above by ∂W_ih, and by nothing after
        _y = null;
    }

    private void BackwardDirection(int d, Tensor<T> g)
    {
        int B = _b, T_ = _t, H = _h, GH = _gh;
        var w = _w[d];
        var s = _steps[d];
        using var whh = GemmPackedB<T>.Create(_kernels.GemmFor<T>(), GemmBlocking.For<T>(), false, GH, H, w.WeightHh.Value.Span, H); // W_hh (G·H, H), packed once for all steps

        int n = B * T_;
        bool padded = _len.Any(len => len < T_);
        s.DY = g;
        var gh = GradHT!.Span;
        s.DGx = Rent(n * GH);                                           // (B, T, G·H) ∂L/∂(pre-activation), input side
        s.DGh = TSpec.HiddenBiasApart ? Rent(n * GH) : s.DGx;           // hidden side (differs for GRU's n gate)
        if (padded) // rows past their length are never written: they must hold zeros
        {
            s.DGx.AsSpan(0, n * GH).Clear();
            s.DGh.AsSpan(0, n * GH).Clear();
        }
        s.Dh = Rent(B * H);                                             // (B, H) ∂L/∂h flowing back in time
        gh.Slice(d * B * H, B * H).CopyTo(s.Dh);
        s.Dc = TSpec.HasCellState ? Rent(B * H) : [];
        if (TSpec.HasCellState) GradCT!.Span.Slice(d * B * H, B * H).CopyTo(s.Dc);
        s.DhDirect = TSpec.DirectHiddenPath ? Rent(B * H) : [];
        var dhNew = Rent(B * H);

        if (s.RowSequences) s.BackwardSequence(whh, dhNew, Reverse(d), _stepPool!);
        else
            for (int step = T_ - 1; step >= 0; step--)
            {
                int t = Reverse(d) ? T_ - 1 - step : step;
                s.Backward(t, _stepPool);
                // ∂L/∂h entering step t = dÂ_t W_hh (+ dh ⊙ z for GRU); rows past their length pass dh through unchanged.
                Gemm.Compute(false, B, T.One, s.DGh.AsSpan(t * GH), T_ * GH, whh, T.Zero, dhNew, H, _stepPool);
                s.TakeDh(t, 0, B, dhNew);
            }

        AddSlice(_h0, d * B * H, s.Dh.AsSpan(0, B * H));
        if (_c0 is not null) AddSlice(_c0, d * B * H, s.Dc.AsSpan(0, B * H));
        if (w.WeightIh.RequiresGrad) WeightGradient(s.DGx, GH, _x.Value.Span, _in, GradOf(w.WeightIh).Span);
        if (w.WeightHh.RequiresGrad) WeightGradient(s.DGh, GH, s.HPrev, H, GradOf(w.WeightHh).Span);
        if (w.BiasIh.RequiresGrad && w.BiasHh.RequiresGrad && ReferenceEquals(s.DGx, s.DGh))
        {
            // LSTM and RNN: ∂L/∂b_ih = ∂L/∂b_hh = Σ_rows dÂ, one pass over the (B·T, G·H) gradient instead of two.
            var db = new T[GH];
            RowBroadcast.SumRowsInto<T>(s.DGx.AsSpan(0, n * GH), db);
            TensorPrimitives.Add(GradOf(w.BiasIh).Span, db, GradOf(w.BiasIh).Span);
            TensorPrimitives.Add(GradOf(w.BiasHh).Span, db, GradOf(w.BiasHh).Span);
        }
        else
        {
            if (w.BiasIh.RequiresGrad) RowBroadcast.SumRowsInto<T>(s.DGx.AsSpan(0, n * GH), GradOf(w.BiasIh).Span);
            if (w.BiasHh.RequiresGrad) RowBroadcast.SumRowsInto<T>(s.DGh.AsSpan(0, n * GH), GradOf(w.BiasHh).Span);
        }
        if (TSpec.HiddenBiasApart) Return(ref s.DGh);
        Return(ref s.Dh); Return(ref s.Dc); Return(ref s.DhDirect); Return(ref dhNew);
        s.DGh = [];
        s.DY = null;
        s.ReturnSaved();
    }

    /// <summary>∂L/∂X += dÂ W_ih for direction <paramref name="d"/> (all steps, one GEMM); gives dÂ's buffer back.</summary>
    private void InputGradient(int d)
    {
        var s = _steps[d];
        if (_x.RequiresGrad)
            Gemm.Compute(_kernels, false, false, _b * _t, _in, _gh, T.One, s.DGx, _gh, _w[d].WeightIh.Value.Span, _in, T.One, GradOf(_x).Span, _in, _pool);
        Return(ref s.DGx);
    }

    /// <summary>
    /// ∂W += dAᵀ · X over all B·T rows, dA (B·T, G·H), X (B·T, cols). The GEMM sums k in slices of KC = 256, rounding at
    /// each slice boundary; a row's steps that straddle a boundary would be summed in two parts in a batch but in one
    /// alone. With lengths given (padded batches), the product runs over chunks of ⌊KC / T⌋ whole rows (at least one), so
    /// every row's steps start a slice and a sequence gets the same weight gradient alone or padded in a batch
    /// (docs/masking.md). A chunk of one row (T &gt; KC) stops at the row's length, so its slices fall where they fall alone
    /// (without that, a row of 257–320 steps, one slice alone, would be two at T &gt; 320). The chunks add into ∂W in
    /// order, and zero rows (other rows' padding) add exactly nothing.
    /// Full rows without lengths (the language model's windows) take the same chunks unless one product already slices
    /// on row boundaries (<see cref="SlicesFallOnRows"/>), where it stays one call.
    /// </summary>
    private void WeightGradient(ReadOnlySpan<T> dA, int gh, ReadOnlySpan<T> x, int cols, Span<T> dW)
    {
        int rows = _rowAligned ? GemmBlocking.For<T>().SequencesPerSlice(_t) : _b;
        for (int r = 0; r < _b; r += rows)
        {
            int k = _rowAligned && rows == 1 ? _len[r] : Math.Min(rows, _b - r) * _t;   // dA is 0 past the length
            Gemm.Compute(_kernels, true, false, gh, cols, k, T.One, dA.Slice(r * _t * gh), gh, x.Slice(r * _t * cols), cols, T.One, dW, cols, _pool, depthIsRows: true);
        }
    }

    /// <summary>
    /// True when one product over all B·T rows slices k on row boundaries: B·T ≤ 5/4·KC is one slice, and T dividing KC
    /// puts every slice boundary between rows. Then chunking would only add calls; the result is the same.
    /// </summary>
    private static bool SlicesFallOnRows(int b, int t)
    {
        var blocking = GemmBlocking.For<T>();
        return (long)b * t <= blocking.MaxKC || blocking.KC % t == 0;
    }

    private static T[] Rent(int length) => FusedRecurrentSteps<T, TSpec>.Rent(length);

    private static void Return(ref T[] array) => FusedRecurrentSteps<T, TSpec>.Return(ref array);

    private void AddSlice(Var<T> v, int offset, ReadOnlySpan<T> grad)
    {
        if (!v.RequiresGrad) return;
        var dst = GradOf(v).Span.Slice(offset, grad.Length);
        TensorPrimitives.Add(dst, grad, dst);
    }
}
