using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The one place the translation model builds and runs recurrent layers: a GRU or LSTM over (B, T, In) from an
/// optional (h, c) state, stopping each row at its length.
/// </summary>
internal static class RecurrentCalls
{
    /// <summary>A GRU or LSTM layer of L layers (D directions).</summary>
    public static RecurrentLayer<T> Create<T>(RecurrentCell cell, int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => cell is RecurrentCell.Gru or RecurrentCell.Lstm
            ? RecurrentLayer<T>.Create(cell, inputSize, hiddenSize, rng, options)
            : throw new ArgumentException($"Seq2Seq: cell must be gru or lstm, got {cell}.");

    /// <summary>x (B, T, In) → output (B, T, D·H) and the final state (L·D, B, H) (c null for a GRU).</summary>
    public static (Var<T> Output, RecurrentState<T> Final) Run<T>(RecurrentLayer<T> rnn, Var<T> x, RecurrentState<T>? initial, int[]? lengths,
        SeededRng? dropoutRng, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        rnn.Forward(x, initial, lengths, dropoutRng, pool);
}

/// <summary>Row selection on values without a graph (beam search copies and reorders decoder rows with it).</summary>
internal static class RowSelect
{
    /// <summary>y = x with axis <paramref name="axis"/> indexed by <paramref name="rows"/> (y's axis has rows.Length entries).</summary>
    public static Var<T> Select<T>(Var<T> x, int axis, ReadOnlySpan<int> rows) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var v = x.Value;
        var shape = v.ShapeArray();
        int outer = 1, inner = 1, n = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        shape[axis] = rows.Length;
        var y = Tensor<T>.Zeros(shape);
        var xs = v.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int r = 0; r < rows.Length; r++)
                xs.Slice((o * n + rows[r]) * inner, inner).CopyTo(ys.Slice((o * rows.Length + r) * inner, inner));
        return new Var<T>(y);
    }
}
