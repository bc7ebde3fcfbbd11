namespace SeqLearn.Nn;

/// <summary>
/// The cell a recurrent layer is made of; it fixes the gate count G, the gate order and the state (docs/rnn.md).
/// Language-model checkpoints store it by its lower-case name (<c>lstm</c>, <c>gru</c>, <c>rnn</c>, <c>rnnrelu</c>);
/// <see cref="LayerConfig"/> writes PyTorch's <c>rnn</c> with a <c>nonlinearity</c> for both Elman cells.
/// </summary>
public enum RecurrentCell
{
    /// <summary>LSTM, gates i, f, g, o (G = 4); state h and c.</summary>
    Lstm,
    /// <summary>GRU, gates r, z, n (G = 3; PyTorch's reset placement); state h.</summary>
    Gru,
    /// <summary>Elman RNN, h' = tanh(·) (G = 1); state h.</summary>
    Rnn,
    /// <summary>Elman RNN, h' = max(·, 0) (G = 1); state h.</summary>
    RnnRelu,
}
