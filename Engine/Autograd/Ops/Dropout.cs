using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: in training, y = x ⊙ m with mᵢ = 1/(1 − p) with probability 1 − p and 0 otherwise, one draw
    /// from <paramref name="rng"/> per element in row-major order (so E[y] = x and the same rng state gives the same
    /// mask). In evaluation (<paramref name="training"/> false) or with p = 0 it returns x itself.
    /// ∂L/∂x = ∂L/∂y ⊙ m.  p must be in [0, 1).
    /// </summary>
    public static Var<T> Dropout<T>(Var<T> x, double p, bool training, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p = {p} is outside [0, 1).");
        if (!training || p == 0) return x;
        var m = Tensor<T>.ZerosLike(x.Value);
        var keep = T.CreateTruncating(1.0 / (1.0 - p));
        var ms = m.Span;
        Span<double> u = stackalloc double[256];                                  // uniform draws, a block at a time
        for (int i0 = 0; i0 < ms.Length; i0 += u.Length)
        {
            var block = u[..Math.Min(u.Length, ms.Length - i0)];
            rng.NextDoubles(block);
            var mb = ms.Slice(i0, block.Length);
            for (int k = 0; k < block.Length; k++) mb[k] = T.CreateTruncating(block[k] >= p ? 1 : 0) * keep;   // keep or +0, without a branch
        }
        var y = Tensor<T>.ZerosLike(x.Value);
        TensorPrimitives.Multiply<T>(x.Value.Span, ms, y.Span);
        return Var<T>.FromOp(y, Node<T>.Tracks(x) ? new DropoutNode<T>(x, m) : null);
    }
}

internal sealed class DropoutNode<T>(Var<T> x, Tensor<T> m) : Node<T>(x)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(x).Span;
        TensorPrimitives.MultiplyAdd<T>(gradOutput.Span, m.Span, gx, gx);
    }
}
