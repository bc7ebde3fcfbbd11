using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Softmax over the first len_n positions of the last axis, 0 after them: scores (N, S) or (N, M, S), lengths (N),
    /// for every row of entry n: y_j = exp(x_j − m) / Σ_{i &lt; len} exp(x_i − m) for j &lt; len (m = max_{i &lt; len} x_i),
    /// y_j = 0 for j ≥ len (len = 0 gives a zero row). Padded scores are never read, so they may hold anything.
    /// ∂L/∂x_j = y_j (∂L/∂y_j − Σ_{i &lt; len} ∂L/∂y_i · y_i) for j &lt; len, 0 for j ≥ len.
    /// The valid part of each row is computed exactly as <see cref="Softmax{T}"/> of that part alone.
    /// </summary>
    public static Var<T> MaskedSoftmax<T>(Var<T> scores, int[] lengths) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scores);
        var x = scores.Value;
        if (x.Rank is not (2 or 3))
            throw new ArgumentException($"MaskedSoftmax: scores must be (N, S) or (N, M, S), got {x.ShapeString}.", nameof(scores));
        int s = x.Dim(-1), rowsPerEntry = x.Rank == 3 ? x.Dim(1) : 1;
        SequenceMask.Check(lengths, x.Dim(0), s, minLength: 0, $"MaskedSoftmax (scores {x.ShapeString})");
        var y = Tensor<T>.ZerosLike(x);
        var xs = x.Span;
        var ys = y.Span;
        for (int r = 0; r < x.Length / Math.Max(s, 1); r++)
        {
            int len = lengths[r / rowsPerEntry];
            if (len > 0) SoftmaxRow<T>(xs.Slice(r * s, len), ys.Slice(r * s, len));
        }
        return Var<T>.FromOp(y, Node<T>.Tracks(scores)
            ? new MaskedSoftmaxNode<T>(scores, y, (int[])lengths.Clone(), rowsPerEntry) : null);
    }
}

/// <summary>Saves y and a copy of the lengths; the backward touches only the valid positions.</summary>
internal sealed class MaskedSoftmaxNode<T>(Var<T> scores, Tensor<T> y, int[] lengths, int rowsPerEntry) : Node<T>(scores)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        var gx = GradOf(scores).Span;
        var gy = gradOutput.Span;
        var ys = y.Span;
        int s = y.Dim(-1);
        for (int r = 0; r < y.Length / Math.Max(s, 1); r++)
        {
            int len = lengths[r / rowsPerEntry], o = r * s;
            T dot = TensorPrimitives.Dot<T>(gy.Slice(o, len), ys.Slice(o, len));   // Σ_{i < len} ∂L/∂y_i · y_i
            for (int j = o; j < o + len; j++)
                gx[j] += ys[j] * (gy[j] - dot);
        }
    }
}
