using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>A multi-layer GRU (PyTorch variant, see <see cref="GruCell{T}"/>), weight-compatible with <c>nn.GRU(batch_first=True)</c>. Its state is h.</summary>
public sealed class Gru<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>.</summary>
    public Gru(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null)
        : base(CellSpec<GruSpec>.Instance, inputSize, hiddenSize, rng, options) { }

    internal Gru(RecurrentWeights<T>[][] weights, RecurrentOptions options) : base(CellSpec<GruSpec>.Instance, weights, options) { }
}
