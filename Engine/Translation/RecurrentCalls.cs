using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The one place the translation model builds recurrent layers and runs them as graph ops (the fused Bahdanau decoder
/// and <see cref="Seq2SeqStepper{T}"/> run the decoder's weights on their own kernels): a GRU or LSTM over (B, T, In)
/// from an optional (h, c) state, stopping each row at its length.
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
