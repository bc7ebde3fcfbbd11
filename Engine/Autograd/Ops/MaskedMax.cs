using System.Numerics;
using System.Runtime.InteropServices;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Maximum over the valid steps of each row, per feature: x (B, T, F), lengths (B) → y (B, F),
    /// y[b, f] = max_{t &lt; len_b} x[b, t, f]; padded steps are never read.
    /// ∂L/∂x[b, t*, f] = ∂L/∂y[b, f] at the argmax t* (the first one on ties), 0 at every other step. A NaN wins, as in
    /// PyTorch's max: y[b, f] is NaN when any valid x[b, t, f] is, and t* is the first such step.
    /// </summary>
    public static Var<T> MaskedMax<T>(Var<T> x, int[] lengths) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (b, t, f) = PooledShape(x, lengths, "MaskedMax");
        var y = Tensor<T>.Zeros(b, f);
        var argmax = new int[b * f];                                             // t* per (b, f), saved for backward
        var xs = x.Value.Span;
        var ys = y.Span;
        for (int r = 0; r < b; r++)
            for (int s = 0; s < lengths[r]; s++)
            {
                var xt = xs.Slice((r * t + s) * f, f);
                int j = 0;
                if (s > 0 && typeof(T) == typeof(float)) j = MaxStepFloat(MemoryMarshal.Cast<T, float>(xt), MemoryMarshal.Cast<T, float>(ys.Slice(r * f, f)), argmax.AsSpan(r * f, f), s);
                for (; j < f; j++)
                    if (s == 0 || xt[j] > ys[r * f + j] || (T.IsNaN(xt[j]) && !T.IsNaN(ys[r * f + j])))   // strict: the first maximum (or NaN) wins
                    {
                        ys[r * f + j] = xt[j];
                        argmax[r * f + j] = s;
                    }
            }
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new MaskedMaxNode<T>(x, argmax) : null);
    }

    /// <summary>
    /// One step s ≥ 1 of the running maximum on whole vectors of float: where x_j &gt; y_j (strictly, so the first maximum
    /// wins) or x_j is the first NaN, y_j ← x_j and t*_j ← s, as the scalar loop does lane by lane. Returns the first
    /// feature not done (the tail goes to the scalar loop).
    /// </summary>
    private static int MaxStepFloat(ReadOnlySpan<float> xt, Span<float> yr, Span<int> argmax, int s)
    {
        int j = 0, n = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated) return 0;
        var step = new Vector<int>(s);
        for (; j <= xt.Length - n; j += n)
        {
            var xv = new Vector<float>(xt[j..]);
            var yv = new Vector<float>(yr[j..]);
            var xNaN = ~Vector.Equals(xv, xv);
            var yNaN = ~Vector.Equals(yv, yv);
            var greater = Vector.GreaterThan(xv, yv) | (xNaN & ~yNaN);                  // all-ones lanes where x > y, or x is the first NaN
            Vector.ConditionalSelect(greater, xv, yv).CopyTo(yr[j..]);
            Vector.ConditionalSelect(greater, step, new Vector<int>(argmax[j..])).CopyTo(argmax[j..]);
        }
        return j;
    }
}

internal sealed class MaskedMaxNode<T>(Var<T> x, int[] argmax) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        int t = x.Value.Dim(1), f = x.Value.Dim(2);
        var gx = GradOf(x).Span;
        var gy = gradOutput.Span;
        for (int i = 0; i < argmax.Length; i++)
        {
            int r = i / f, j = i % f;
            gx[(r * t + argmax[i]) * f + j] += gy[i];
        }
    }
}
