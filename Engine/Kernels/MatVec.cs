using System.Runtime.Intrinsics;

namespace SeqLearn.Kernels;

/// <summary>
/// Matrix-vector product for batch-1 inference, y = W x (+ b), with W (rows, cols) row-major:
/// <code>
/// y_r = Σ_k W[r, k] · x_k  (+ b_r)          r = 0 … rows − 1,  k = 0 … cols − 1
/// </code>
/// Each row of W is contiguous, so on the 512-bit path the kernel streams W once, front to back, four rows at a time:
/// one load of x feeds four fused multiply-adds (four independent accumulator chains), and the hardware prefetcher
/// sees four sequential streams; narrower paths run <see cref="MultiplyReference"/>'s plain loop. At batch 1 the
/// product is bound by how fast W arrives from cache, not by arithmetic.
/// Every row is reduced in a fixed order that depends only on <c>cols</c> and the path, so the result of a row does not
/// depend on which rows are computed with it (callers may split rows across threads and stay bit-identical).
/// </summary>
internal static unsafe class MatVec
{
    /// <summary>
    /// y (rows) ← W (rows, cols) · x (cols), plus <paramref name="bias"/> (rows) when it is not empty. On the 512-bit path
    /// (<paramref name="width"/> Auto on an AVX-512 machine, unless <c>SEQLEARN_ISA</c> says otherwise, and cols ≥ 16) a row is sixteen
    /// FMA chains summed at the end; on every other width it is <see cref="MultiplyReference"/>'s plain loop, bit for bit.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, GateWidth width = GateWidth.Auto)
    {
        int rows = Check(w, x, bias, y, "MatVec.Multiply");
        int cols = x.Length;
        if (rows == 0) return;
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int r = 0;
        bool wide = GateDispatch.Use512<float>(width) && cols >= Vector512<float>.Count;
        if (wide)
        {
            for (; r <= rows - 4; r += 4)
                Dot4(ref Unsafe.Add(ref rw, (nint)r * cols), cols, ref rx, y.Slice(r, 4));
        }
        for (; r < rows; r++) y[r] = Dot(ref Unsafe.Add(ref rw, (nint)r * cols), ref rx, cols, wide);
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias, y);
    }

    /// <summary>
    /// y (rows) ← Wᵀ (cols, rows) · x, i.e. y_r = Σ_k Wt[k, r] · x_k, plus <paramref name="bias"/> when it is not empty.
    /// W is stored transposed (k-major), so the product is a sum of scaled rows, y += x_k · Wt[k, :]: 128 outputs
    /// live in eight Vector512 accumulators (eight independent FMA chains, no horizontal sums) while Wt streams
    /// past once. Every output is one fused multiply-add chain in order of k, whatever its position.
    /// </summary>
    /// <remarks>
    /// <paramref name="width"/> chooses the vectors as for the gate kernels: the widest accelerated (512, else 256,
    /// else 128 bits on ARM64), or at most 256 or 128 bits, or none (tests force each; <see cref="MatVecNarrow"/>).
    /// The result is the same bit for bit at every width.
    /// </remarks>
    public static void MultiplyTransposed(ReadOnlySpan<float> wt, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y,
        GateWidth width = GateWidth.Auto)
    {
        int rows = Check(wt, x, bias, y, "MatVec.MultiplyTransposed");
        int cols = x.Length;
        ref float rw = ref MemoryMarshal.GetReference(wt);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int r = 0;
        if (GateDispatch.Use512<float>(width))
        {
            for (; r <= rows - 8 * Lanes; r += 8 * Lanes) Axpy8(ref rw, ref rx, ref ry, r, rows, cols);
            for (; r <= rows - Lanes; r += 4 * Lanes)   // the last 1–7 whole blocks, up to four independent chains at a time
                Axpy4(ref rw, ref rx, ref ry, r, rows, cols, Math.Min(4, (rows - r) / Lanes));
            r = rows - rows % Lanes;
        }
        if (r <= rows - 4 && (GateDispatch.Use256<float>(width) || GateDispatch.Use128<float>(width)))
        {
            fixed (float* pw = wt, px = x, py = y)
            {
                if (GateDispatch.Use256<float>(width)) r = MatVecNarrow.Transposed<Vector256<float>, Simd256<float>>(pw, px, py, r, rows, cols);
                if (GateDispatch.Use128<float>(width)) r = MatVecNarrow.Transposed<Vector128<float>, Simd128<float>>(pw, px, py, r, rows, cols);
            }
        }
        for (; r < rows; r++)
        {
            float s = 0;
            for (int k = 0; k < cols; k++) s = MathF.FusedMultiplyAdd(Unsafe.Add(ref rw, (nint)k * rows + r), Unsafe.Add(ref rx, k), s);
            Unsafe.Add(ref ry, r) = s;
        }
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias, y);
    }

    private static int Lanes => Vector512<float>.Count;

    /// <summary>Outputs [r, r + 128): eight accumulators, one broadcast of x_k and eight loads per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy8(ref float wt, ref float x, ref float y, int r, int rows, int cols)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        ref float w = ref Unsafe.Add(ref wt, r);
        for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, rows))
        {
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 0), xk, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 16), xk, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 32), xk, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 48), xk, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 64), xk, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 80), xk, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 96), xk, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 112), xk, a7);
        }
        a0.StoreUnsafe(ref y, (nuint)r); a1.StoreUnsafe(ref y, (nuint)(r + 16));
        a2.StoreUnsafe(ref y, (nuint)(r + 32)); a3.StoreUnsafe(ref y, (nuint)(r + 48));
        a4.StoreUnsafe(ref y, (nuint)(r + 64)); a5.StoreUnsafe(ref y, (nuint)(r + 80));
        a6.StoreUnsafe(ref y, (nuint)(r + 96)); a7.StoreUnsafe(ref y, (nuint)(r + 112));
    }

    /// <summary>Outputs [r, r + 16·blocks), blocks ≤ 4: one accumulator per block, each its own FMA chain over k.</summary>
    private static void Axpy4(ref float wt, ref float x, ref float y, int r, int rows, int cols, int blocks)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        ref float w = ref Unsafe.Add(ref wt, r);
        for (int k = 0; k < cols; k++, w = ref Unsafe.Add(ref w, rows))
        {
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 0), xk, a0);
            if (blocks > 1) a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 16), xk, a1);
            if (blocks > 2) a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 32), xk, a2);
            if (blocks > 3) a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 48), xk, a3);
        }
        a0.StoreUnsafe(ref y, (nuint)r);
        if (blocks > 1) a1.StoreUnsafe(ref y, (nuint)(r + 16));
        if (blocks > 2) a2.StoreUnsafe(ref y, (nuint)(r + 32));
        if (blocks > 3) a3.StoreUnsafe(ref y, (nuint)(r + 48));
    }

    /// <summary>The executable specification of <see cref="Multiply"/>: one plain loop per row, summed in order of k.</summary>
    public static void MultiplyReference(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        int rows = Check(w, x, bias, y, "MatVec.MultiplyReference");
        int cols = x.Length;
        for (int r = 0; r < rows; r++)
        {
            float sum = 0;
            for (int k = 0; k < cols; k++) sum += w[r * cols + k] * x[k];
            y[r] = bias.IsEmpty ? sum : sum + bias[r];
        }
    }

    /// <summary>Four rows starting at <paramref name="w"/>: four Vector512 accumulators over k, then one horizontal sum each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4(ref float w, int cols, ref float x, Span<float> y)
    {
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        ref float w1 = ref Unsafe.Add(ref w, cols);
        ref float w2 = ref Unsafe.Add(ref w, 2 * cols);
        ref float w3 = ref Unsafe.Add(ref w, 3 * cols);
        int k = 0;
        for (; k <= cols - Vector512<float>.Count; k += Vector512<float>.Count)
        {
            var xk = Vector512.LoadUnsafe(ref x, (nuint)k);
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)k), xk, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)k), xk, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, (nuint)k), xk, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, (nuint)k), xk, a3);
        }
        float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
        for (; k < cols; k++)
        {
            float xk = Unsafe.Add(ref x, k);
            s0 += Unsafe.Add(ref w, k) * xk;
            s1 += Unsafe.Add(ref w1, k) * xk;
            s2 += Unsafe.Add(ref w2, k) * xk;
            s3 += Unsafe.Add(ref w3, k) * xk;
        }
        (y[0], y[1], y[2], y[3]) = (s0, s1, s2, s3);
    }

    /// <summary>One row, in the same order as one lane of <see cref="Dot4"/> (so a row gives the same value in either).</summary>
    private static float Dot(ref float w, ref float x, int cols, bool wide)
    {
        int k = 0;
        float s = 0;
        if (wide)
        {
            var a = Vector512<float>.Zero;
            for (; k <= cols - Vector512<float>.Count; k += Vector512<float>.Count)
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)k), Vector512.LoadUnsafe(ref x, (nuint)k), a);
            s = Vector512.Sum(a);
        }
        for (; k < cols; k++) s += Unsafe.Add(ref w, k) * Unsafe.Add(ref x, k);
        return s;
    }

    private static int Check(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, string kernel)
    {
        int rows = y.Length;
        if ((long)rows * x.Length != w.Length)
            throw new ArgumentException($"{kernel}: W has {w.Length} elements, expected rows × cols = {rows} × {x.Length}.");
        if (!bias.IsEmpty && bias.Length != rows)
            throw new ArgumentException($"{kernel}: the bias has {bias.Length} elements, expected {rows} (or none).");
        return rows;
    }
}
