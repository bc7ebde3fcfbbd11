namespace SeqLearn.Kernels;

/// <summary>
/// The fused GRU gate kernel for one batch row of one time step (docs/rnn.md#gru), PyTorch's variant.
/// Given xp = x W_ihᵀ + b_ih + (b_hr, b_hz, 0) and hp = h W_hhᵀ, each (3H) in gate order r, z, n:
/// <code>
/// r = σ(xp_r + hp_r)   z = σ(xp_z + hp_z)   ĥn = hp_n + b_hn   n = tanh(xp_n + r ⊙ ĥn)
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// b_hn stays inside the reset product, so it cannot be folded into xp like the other biases.
/// </summary>
internal static class GruGateKernel
{
    /// <summary>
    /// Forward for one row. <paramref name="h"/> (H) holds h on entry and h' on return; <paramref name="acts"/> (3H)
    /// receives r, z, n and <paramref name="hn"/> (H) receives ĥn = hp_n + b_hn (both saved for backward).
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> acts, Span<T> hn)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Forward(xp, hp, bhn, h, acts, hn, GateWidth.Auto);

    internal static void Forward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> acts, Span<T> hn, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckForward(xp, hp, bhn, h, acts, hn);
        ref T rx = ref MemoryMarshal.GetReference(xp);
        ref T rh = ref MemoryMarshal.GetReference(hp);
        ref T rb = ref MemoryMarshal.GetReference(bhn);
        ref T rs = ref MemoryMarshal.GetReference(h);
        ref T ra = ref MemoryMarshal.GetReference(acts);
        ref T rn = ref MemoryMarshal.GetReference(hn);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = ForwardBody<T, GateV512<T>>(j, n, ref rx, ref rh, ref rb, ref rs, ref ra, ref rn);
        if (GateDispatch.Use256<T>(width)) j = ForwardBody<T, GateV256<T>>(j, n, ref rx, ref rh, ref rb, ref rs, ref ra, ref rn);
        if (GateDispatch.Use128<T>(width)) j = ForwardBody<T, GateV128<T>>(j, n, ref rx, ref rh, ref rb, ref rs, ref ra, ref rn);
        ForwardBody<T, GateScalar<T>>(j, n, ref rx, ref rh, ref rb, ref rs, ref ra, ref rn);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardBody<T, V>(int j, int n, ref T xp, ref T hp, ref T bhn, ref T h, ref T acts, ref T hn)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        V one = V.Splat(T.One);
        for (; j <= n - V.Count; j += V.Count)
        {
            V r = V.Sigmoid(V.Load(ref xp, j) + V.Load(ref hp, j));
            V z = V.Sigmoid(V.Load(ref xp, n + j) + V.Load(ref hp, n + j));
            V hnj = V.Load(ref hp, 2 * n + j) + V.Load(ref bhn, j);
            V nj = V.Tanh(V.Load(ref xp, 2 * n + j) + r * hnj);
            V hNew = (one - z) * nj + z * V.Load(ref h, j);
            V.Store(r, ref acts, j); V.Store(z, ref acts, n + j); V.Store(nj, ref acts, 2 * n + j);
            V.Store(hnj, ref hn, j);
            V.Store(hNew, ref h, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, Span{T})"/>.</summary>
    public static void ForwardReference<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> acts, Span<T> hn)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckForward(xp, hp, bhn, h, acts, hn);
        for (int j = 0; j < n; j++)
        {
            T r = T.One / (T.One + T.Exp(-(xp[j] + hp[j])));
            T z = T.One / (T.One + T.Exp(-(xp[n + j] + hp[n + j])));
            hn[j] = hp[2 * n + j] + bhn[j];
            T nj = T.Tanh(xp[2 * n + j] + r * hn[j]);
            h[j] = (T.One - z) * nj + z * h[j];
            (acts[j], acts[n + j], acts[2 * n + j]) = (r, z, nj);
        }
    }

    /// <summary>
    /// Backward for one row, given dh = ∂L/∂h' and the saved r, z, n, ĥn and h:
    /// <code>
    /// dâ_n = dh ⊙ (1 − z) ⊙ (1 − n²)   dâ_z = dh ⊙ (h − n) ⊙ z(1 − z)   dâ_r = dâ_n ⊙ ĥn ⊙ r(1 − r)
    /// ∂L/∂ĥn = dâ_n ⊙ r                ∂L/∂h (direct part) = dh ⊙ z
    /// </code>
    /// <paramref name="dGx"/> (3H) = (dâ_r, dâ_z, dâ_n) feeds W_ih, b_ih; <paramref name="dGh"/> (3H) = (dâ_r, dâ_z, ∂L/∂ĥn)
    /// feeds W_hh, b_hh; <paramref name="dhDirect"/> (H) receives dh ⊙ z (the caller adds dGh · W_hh).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dhDirect, Span<T> dGx, Span<T> dGh)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Backward(acts, hn, hPrev, dh, dhDirect, dGx, dGh, GateWidth.Auto);

    internal static void Backward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dhDirect, Span<T> dGx, Span<T> dGh, GateWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckBackward(acts, hn, hPrev, dh, dhDirect, dGx, dGh);
        ref T ra = ref MemoryMarshal.GetReference(acts);
        ref T rn = ref MemoryMarshal.GetReference(hn);
        ref T rp = ref MemoryMarshal.GetReference(hPrev);
        ref T rdh = ref MemoryMarshal.GetReference(dh);
        ref T rdd = ref MemoryMarshal.GetReference(dhDirect);
        ref T rgx = ref MemoryMarshal.GetReference(dGx);
        ref T rgh = ref MemoryMarshal.GetReference(dGh);
        int j = 0;
        if (GateDispatch.Use512<T>(width)) j = BackwardBody<T, GateV512<T>>(j, n, ref ra, ref rn, ref rp, ref rdh, ref rdd, ref rgx, ref rgh);
        if (GateDispatch.Use256<T>(width)) j = BackwardBody<T, GateV256<T>>(j, n, ref ra, ref rn, ref rp, ref rdh, ref rdd, ref rgx, ref rgh);
        if (GateDispatch.Use128<T>(width)) j = BackwardBody<T, GateV128<T>>(j, n, ref ra, ref rn, ref rp, ref rdh, ref rdd, ref rgx, ref rgh);
        BackwardBody<T, GateScalar<T>>(j, n, ref ra, ref rn, ref rp, ref rdh, ref rdd, ref rgx, ref rgh);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardBody<T, V>(int j, int n, ref T acts, ref T hn, ref T hPrev, ref T dh, ref T dhDirect, ref T dGx, ref T dGh)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where V : struct, IGateVector<V, T>
    {
        V one = V.Splat(T.One);
        for (; j <= n - V.Count; j += V.Count)
        {
            V r = V.Load(ref acts, j), z = V.Load(ref acts, n + j), nj = V.Load(ref acts, 2 * n + j);
            V dhj = V.Load(ref dh, j);
            V dan = dhj * (one - z) * (one - nj * nj);
            V daz = dhj * (V.Load(ref hPrev, j) - nj) * z * (one - z);
            V dar = dan * V.Load(ref hn, j) * r * (one - r);
            V.Store(dar, ref dGx, j); V.Store(daz, ref dGx, n + j); V.Store(dan, ref dGx, 2 * n + j);
            V.Store(dar, ref dGh, j); V.Store(daz, ref dGh, n + j); V.Store(dan * r, ref dGh, 2 * n + j);
            V.Store(dhj * z, ref dhDirect, j);
        }
        return j;
    }

    /// <summary>The executable specification of <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, Span{T})"/>.</summary>
    public static void BackwardReference<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dhDirect, Span<T> dGx, Span<T> dGh)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = CheckBackward(acts, hn, hPrev, dh, dhDirect, dGx, dGh);
        for (int j = 0; j < n; j++)
        {
            T r = acts[j], z = acts[n + j], nj = acts[2 * n + j];
            T dan = dh[j] * (T.One - z) * (T.One - nj * nj);
            T daz = dh[j] * (hPrev[j] - nj) * z * (T.One - z);
            T dar = dan * hn[j] * r * (T.One - r);
            (dGx[j], dGx[n + j], dGx[2 * n + j]) = (dar, daz, dan);
            (dGh[j], dGh[n + j], dGh[2 * n + j]) = (dar, daz, dan * r);
            dhDirect[j] = dh[j] * z;
        }
    }

    private static int CheckForward<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> hp, ReadOnlySpan<T> bhn, Span<T> h, Span<T> acts, Span<T> hn)
    {
        int n = h.Length;
        GateDispatch.Require(xp.Length, 3 * n, "GruGateKernel.Forward", "xp");
        GateDispatch.Require(hp.Length, 3 * n, "GruGateKernel.Forward", "hp");
        GateDispatch.Require(bhn.Length, n, "GruGateKernel.Forward", "bhn");
        GateDispatch.Require(acts.Length, 3 * n, "GruGateKernel.Forward", "acts");
        GateDispatch.Require(hn.Length, n, "GruGateKernel.Forward", "hn");
        return n;
    }

    private static int CheckBackward<T>(ReadOnlySpan<T> acts, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dhDirect, Span<T> dGx, Span<T> dGh)
    {
        int n = dh.Length;
        GateDispatch.Require(acts.Length, 3 * n, "GruGateKernel.Backward", "acts");
        GateDispatch.Require(hn.Length, n, "GruGateKernel.Backward", "hn");
        GateDispatch.Require(hPrev.Length, n, "GruGateKernel.Backward", "hPrev");
        GateDispatch.Require(dhDirect.Length, n, "GruGateKernel.Backward", "dhDirect");
        GateDispatch.Require(dGx.Length, 3 * n, "GruGateKernel.Backward", "dGx");
        GateDispatch.Require(dGh.Length, 3 * n, "GruGateKernel.Backward", "dGh");
        return n;
    }
}
