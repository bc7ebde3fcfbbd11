namespace SeqLearn.Kernels;

/// <summary>
/// The fused LSTM gate kernel for one batch row of one time step (docs/rnn.md#lstm). Given the two
/// pre-activation halves xp = x W_ihᵀ + b_ih + b_hh and hp = h W_hhᵀ, each (4H) in gate order i, f, g, o:
/// <code>
/// i = σ(xp_i + hp_i)   f = σ(xp_f + hp_f)   g = tanh(xp_g + hp_g)   o = σ(xp_o + hp_o)
/// c' = f ⊙ c + i ⊙ g   h' = o ⊙ tanh(c')
/// </code>
/// in one pass over memory. The backward pass takes what the forward saved (the activations i, f, g, o,
/// c, tanh(c')) and returns the pre-activation gradients, which feed every weight gradient.
/// </summary>
internal static class LstmGateKernel
{
    /// <summary>
    /// Forward for one row. <paramref name="c"/> holds c on entry and c' on return; <paramref name="acts"/>
    /// (4H) receives i, f, g, o; <paramref name="tanhC"/> (H) receives tanh(c'); <paramref name="h"/> (H) receives h'.
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> c, Span<T> acts, Span<T> tanhC, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Forward(xp, hp, c, acts, tanhC, h, GateWidth.Auto);

    internal static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> c, Span<T> acts, Span<T> tanhC, Span<T> h, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckForward(xp, hp, c, acts, tanhC, h);
        ref T rx = ref MemoryMarshal.GetReference(xp);
        ref T rh = ref MemoryMarshal.GetReference(hp);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T ra = ref MemoryMarshal.GetReference(acts);
        ref T rt = ref MemoryMarshal.GetReference(tanhC);
        ref T ro = ref MemoryMarshal.GetReference(h);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = ForwardBody<T, GateV512<T>>(j, n, ref rx, ref rh, ref rc, ref ra, ref rt, ref ro);
        if (GateDispatch.Use256<T>(width)) j = ForwardBody<T, GateV256<T>>(j, n, ref rx, ref rh, ref rc, ref ra, ref rt, ref ro);
        if (GateDispatch.Use128<T>(width)) j = ForwardBody<T, GateV128<T>>(j, n, ref rx, ref rh, ref rc, ref ra, ref rt, ref ro);
        ForwardBody<T, GateScalar<T>>(j, n, ref rx, ref rh, ref rc, ref ra, ref rt, ref ro);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardBody<T, V>(int j, int n, ref T xp, ref T hp, ref T c, ref T acts, ref T tanhC, ref T h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        for (; j <= n - V.Count; j += V.Count)
        {
            V i = V.Sigmoid(V.Load(ref xp, j) + V.Load(ref hp, j));
            V f = V.Sigmoid(V.Load(ref xp, n + j) + V.Load(ref hp, n + j));
            V g = V.Tanh(V.Load(ref xp, 2 * n + j) + V.Load(ref hp, 2 * n + j));
            V o = V.Sigmoid(V.Load(ref xp, 3 * n + j) + V.Load(ref hp, 3 * n + j));
            V cNew = f * V.Load(ref c, j) + i * g;
            V tc = V.Tanh(cNew);
            V.Store(i, ref acts, j); V.Store(f, ref acts, n + j); V.Store(g, ref acts, 2 * n + j); V.Store(o, ref acts, 3 * n + j);
            V.Store(cNew, ref c, j);
            V.Store(tc, ref tanhC, j);
            V.Store(o * tc, ref h, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, Span{T}, Span{T})"/>: plain scalar loops.</summary>
    public static void ForwardReference<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> c, Span<T> acts, Span<T> tanhC, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckForward(xp, hp, c, acts, tanhC, h);
        for (int j = 0; j < n; j++)
        {
            T i = Sigmoid(xp[j] + hp[j]);
            T f = Sigmoid(xp[n + j] + hp[n + j]);
            T g = T.Tanh(xp[2 * n + j] + hp[2 * n + j]);
            T o = Sigmoid(xp[3 * n + j] + hp[3 * n + j]);
            c[j] = f * c[j] + i * g;
            tanhC[j] = T.Tanh(c[j]);
            h[j] = o * tanhC[j];
            (acts[j], acts[n + j], acts[2 * n + j], acts[3 * n + j]) = (i, f, g, o);
        }
    }

    /// <summary>
    /// Backward for one row. With dh = ∂L/∂h' and dc = ∂L/∂c' (from the next step) on entry:
    /// <code>
    /// dc ← dc + dh ⊙ o ⊙ (1 − tanh²(c'))
    /// dâ_i = dc ⊙ g ⊙ i(1 − i)    dâ_f = dc ⊙ c ⊙ f(1 − f)    dâ_g = dc ⊙ i ⊙ (1 − g²)    dâ_o = dh ⊙ tanh(c') ⊙ o(1 − o)
    /// ∂L/∂c = dc ⊙ f
    /// </code>
    /// <paramref name="dc"/> holds ∂L/∂c on return; <paramref name="dGates"/> (4H) receives the pre-activation gradients.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Backward(acts, cPrev, tanhC, dh, dc, dGates, GateWidth.Auto);

    internal static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckBackward(acts, cPrev, tanhC, dh, dc, dGates);
        ref T ra = ref MemoryMarshal.GetReference(acts);
        ref T rc = ref MemoryMarshal.GetReference(cPrev);
        ref T rt = ref MemoryMarshal.GetReference(tanhC);
        ref T rdh = ref MemoryMarshal.GetReference(dh);
        ref T rdc = ref MemoryMarshal.GetReference(dc);
        ref T rdg = ref MemoryMarshal.GetReference(dGates);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = BackwardBody<T, GateV512<T>>(j, n, ref ra, ref rc, ref rt, ref rdh, ref rdc, ref rdg);
        if (GateDispatch.Use256<T>(width)) j = BackwardBody<T, GateV256<T>>(j, n, ref ra, ref rc, ref rt, ref rdh, ref rdc, ref rdg);
        if (GateDispatch.Use128<T>(width)) j = BackwardBody<T, GateV128<T>>(j, n, ref ra, ref rc, ref rt, ref rdh, ref rdc, ref rdg);
        BackwardBody<T, GateScalar<T>>(j, n, ref ra, ref rc, ref rt, ref rdh, ref rdc, ref rdg);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardBody<T, V>(int j, int n, ref T acts, ref T cPrev, ref T tanhC, ref T dh, ref T dc, ref T dGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        V one = V.Splat(T.One);
        for (; j <= n - V.Count; j += V.Count)
        {
            V i = V.Load(ref acts, j), f = V.Load(ref acts, n + j), g = V.Load(ref acts, 2 * n + j), o = V.Load(ref acts, 3 * n + j);
            V tc = V.Load(ref tanhC, j);
            V dhj = V.Load(ref dh, j);
            V dcj = V.Load(ref dc, j) + dhj * o * (one - tc * tc);
            V.Store(dcj * g * i * (one - i), ref dGates, j);
            V.Store(dcj * V.Load(ref cPrev, j) * f * (one - f), ref dGates, n + j);
            V.Store(dcj * i * (one - g * g), ref dGates, 2 * n + j);
            V.Store(dhj * tc * o * (one - o), ref dGates, 3 * n + j);
            V.Store(dcj * f, ref dc, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T})"/>.</summary>
    public static void BackwardReference<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckBackward(acts, cPrev, tanhC, dh, dc, dGates);
        for (int j = 0; j < n; j++)
        {
            T i = acts[j], f = acts[n + j], g = acts[2 * n + j], o = acts[3 * n + j];
            T tc = tanhC[j];
            T dcTotal = dc[j] + dh[j] * o * (T.One - tc * tc);
            dGates[j] = dcTotal * g * i * (T.One - i);
            dGates[n + j] = dcTotal * cPrev[j] * f * (T.One - f);
            dGates[2 * n + j] = dcTotal * i * (T.One - g * g);
            dGates[3 * n + j] = dh[j] * tc * o * (T.One - o);
            dc[j] = dcTotal * f;
        }
    }

    private static T Sigmoid<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));

    private static int CheckForward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> c, Span<T> acts, Span<T> tanhC, Span<T> h)
    {
        int n = c.Length;
        GateDispatch.Require(xp.Length, 4 * n, "LstmGateKernel.Forward", "xp");
        GateDispatch.Require(hp.Length, 4 * n, "LstmGateKernel.Forward", "hp");
        GateDispatch.Require(acts.Length, 4 * n, "LstmGateKernel.Forward", "acts");
        GateDispatch.Require(tanhC.Length, n, "LstmGateKernel.Forward", "tanhC");
        GateDispatch.Require(h.Length, n, "LstmGateKernel.Forward", "h");
        return n;
    }

    private static int CheckBackward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates)
    {
        int n = dc.Length;
        GateDispatch.Require(acts.Length, 4 * n, "LstmGateKernel.Backward", "acts");
        GateDispatch.Require(cPrev.Length, n, "LstmGateKernel.Backward", "cPrev");
        GateDispatch.Require(tanhC.Length, n, "LstmGateKernel.Backward", "tanhC");
        GateDispatch.Require(dh.Length, n, "LstmGateKernel.Backward", "dh");
        GateDispatch.Require(dGates.Length, 4 * n, "LstmGateKernel.Backward", "dGates");
        return n;
    }
}
