namespace SeqLearn.Kernels;

/// <summary>
/// The fused Elman RNN kernel for one batch row of one time step (docs/rnn.md#rnn):
/// h' = φ(xp + hp) with xp = x W_ihᵀ + b_ih + b_hh, hp = h W_hhᵀ and φ = tanh or ReLU.
/// Backward: dâ = dh ⊙ (1 − h'²) for tanh, dh ⊙ [h' &gt; 0] for ReLU (both only need the saved output h').
/// </summary>
internal static class RnnGateKernel
{
    /// <summary>h (H) ← φ(xp + hp).</summary>
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> h, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Forward(xp, hp, h, relu, GateWidth.Auto);

    internal static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> h, bool relu, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Forward(xp, hp, h, h, relu, width);

    /// <summary>
    /// h and <paramref name="hCopy"/> (H) ← φ(xp + hp): the fused layer keeps h' as its running state and writes it into
    /// its output Y in the same pass, instead of copying the row afterwards.
    /// </summary>
    internal static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> h, Span<T> hCopy, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Forward(xp, hp, h, hCopy, relu, GateWidth.Auto);

    internal static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> h, Span<T> hCopy, bool relu, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = h.Length;
        GateDispatch.Require(xp.Length, n, "RnnGateKernel.Forward", "xp");
        GateDispatch.Require(hp.Length, n, "RnnGateKernel.Forward", "hp");
        GateDispatch.Require(hCopy.Length, n, "RnnGateKernel.Forward", "hCopy");
        ref T rx = ref MemoryMarshal.GetReference(xp);
        ref T rh = ref MemoryMarshal.GetReference(hp);
        ref T ro = ref MemoryMarshal.GetReference(h);
        ref T rc = ref MemoryMarshal.GetReference(hCopy);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = ForwardBody<T, GateV512<T>>(j, n, relu, ref rx, ref rh, ref ro, ref rc);
        if (GateDispatch.Use256<T>(width)) j = ForwardBody<T, GateV256<T>>(j, n, relu, ref rx, ref rh, ref ro, ref rc);
        if (GateDispatch.Use128<T>(width)) j = ForwardBody<T, GateV128<T>>(j, n, relu, ref rx, ref rh, ref ro, ref rc);
        ForwardBody<T, GateScalar<T>>(j, n, relu, ref rx, ref rh, ref ro, ref rc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardBody<T, V>(int j, int n, bool relu, ref T xp, ref T hp, ref T h, ref T hCopy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        for (; j <= n - V.Count; j += V.Count)
        {
            V a = V.Load(ref xp, j) + V.Load(ref hp, j);
            V r = relu ? V.Relu(a) : V.Tanh(a);
            V.Store(r, ref h, j);
            V.Store(r, ref hCopy, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, bool)"/>.</summary>
    public static void ForwardReference<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, Span<T> h, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GateDispatch.Require(xp.Length, h.Length, "RnnGateKernel.ForwardReference", "xp");
        GateDispatch.Require(hp.Length, h.Length, "RnnGateKernel.ForwardReference", "hp");
        for (int j = 0; j < h.Length; j++)
        {
            T a = xp[j] + hp[j];
            h[j] = relu ? T.Max(a, T.Zero) : T.Tanh(a);
        }
    }

    /// <summary>dGates (H) ← dh ⊙ φ'(·), written from the saved output <paramref name="h"/>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dGates, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Backward(h, dh, dGates, relu, GateWidth.Auto);

    internal static void Backward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dGates, bool relu, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = dGates.Length;
        GateDispatch.Require(h.Length, n, "RnnGateKernel.Backward", "h");
        GateDispatch.Require(dh.Length, n, "RnnGateKernel.Backward", "dh");
        ref T rh = ref MemoryMarshal.GetReference(h);
        ref T rd = ref MemoryMarshal.GetReference(dh);
        ref T rg = ref MemoryMarshal.GetReference(dGates);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = BackwardBody<T, GateV512<T>>(j, n, relu, ref rh, ref rd, ref rg);
        if (GateDispatch.Use256<T>(width)) j = BackwardBody<T, GateV256<T>>(j, n, relu, ref rh, ref rd, ref rg);
        if (GateDispatch.Use128<T>(width)) j = BackwardBody<T, GateV128<T>>(j, n, relu, ref rh, ref rd, ref rg);
        BackwardBody<T, GateScalar<T>>(j, n, relu, ref rh, ref rd, ref rg);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardBody<T, V>(int j, int n, bool relu, ref T h, ref T dh, ref T dGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        V one = V.Splat(T.One);
        for (; j <= n - V.Count; j += V.Count)
        {
            V hj = V.Load(ref h, j), dhj = V.Load(ref dh, j);
            V.Store(relu ? V.WherePositive(hj, dhj) : dhj * (one - hj * hj), ref dGates, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, bool)"/>.</summary>
    public static void BackwardReference<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dGates, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GateDispatch.Require(h.Length, dGates.Length, "RnnGateKernel.BackwardReference", "h");
        GateDispatch.Require(dh.Length, dGates.Length, "RnnGateKernel.BackwardReference", "dh");
        for (int j = 0; j < dGates.Length; j++)
            dGates[j] = relu ? (h[j] > T.Zero ? dh[j] : T.Zero) : dh[j] * (T.One - h[j] * h[j]);
    }
}
