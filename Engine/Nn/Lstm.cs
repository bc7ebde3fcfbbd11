using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A multi-layer LSTM over batch-first sequences, weight-compatible with PyTorch <c>nn.LSTM(batch_first=True)</c>.
/// Each step is <see cref="LstmCell{T}"/>'s equations; the default <see cref="RecurrentPath.Fused"/> path computes them
/// with GEMMs and a fused gate kernel (docs/rnn.md). Its state has h and c.
/// </summary>
public sealed class Lstm<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>.</summary>
    public Lstm(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null)
        : base(CellSpec<LstmSpec>.Instance, inputSize, hiddenSize, rng, options) { }

    internal Lstm(RecurrentWeights<T>[][] weights, RecurrentOptions options) : base(CellSpec<LstmSpec>.Instance, weights, options) { }
}
