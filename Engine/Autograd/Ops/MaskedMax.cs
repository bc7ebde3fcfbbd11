using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Maximum over the valid steps of each row, per feature: x (B, T, F), lengths (B) → y (B, F),
    /// y[b, f] = max_{t &lt; len_b} x[b, t, f]; padded steps are never read.
    /// ∂L/∂x[b, t*, f] = ∂L/∂y[b, f] at the argmax t* (the first one on ties), 0 at every other step.
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
                for (int j = 0; j < f; j++)
                    if (s == 0 || xt[j] > ys[r * f + j])                        // strict: the first maximum wins
                    {
                        ys[r * f + j] = xt[j];
                        argmax[r * f + j] = s;
                    }
            }
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new MaskedMaxNode<T>(x, argmax) : null);
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
