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
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => cell switch
        {
            RecurrentCell.Gru => new Gru<T>(inputSize, hiddenSize, rng, options),
            RecurrentCell.Lstm => new Lstm<T>(inputSize, hiddenSize, rng, options),
            _ => throw new ArgumentException($"Seq2Seq: cell must be gru or lstm, got {cell}."),
        };

    /// <summary>x (B, T, In) → output (B, T, D·H) and the final state (L·D, B, H) (c null for a GRU).</summary>
    public static (Var<T> Output, RecurrentState<T> Final) Run<T>(RecurrentLayer<T> rnn, Var<T> x, RecurrentState<T>? initial, int[]? lengths,
        SeededRng? dropoutRng, WorkerPool? pool) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (rnn)
        {
            case Gru<T> gru:
            {
                var (y, h) = gru.Forward(x, initial?.H, lengths, dropoutRng, pool);
                return (y, new RecurrentState<T>(h, null));
            }
            case Lstm<T> lstm:
            {
                var init = initial is null ? null : new LstmState<T>(initial.H, initial.C
                    ?? throw new ArgumentException("Seq2Seq: an LSTM state needs c."));
                var (y, s) = lstm.Forward(x, init, lengths, dropoutRng, pool);
                return (y, new RecurrentState<T>(s.H, s.C));
            }
            default:
                throw new ArgumentException($"Seq2Seq: unsupported recurrent layer {rnn.GetType().Name}.");
        }
    }
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
