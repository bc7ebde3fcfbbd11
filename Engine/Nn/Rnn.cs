using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A multi-layer Elman RNN, h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) with φ = tanh or ReLU, weight-compatible with
/// <c>nn.RNN(batch_first=True, nonlinearity=…)</c>. Its state is h.
/// </summary>
public sealed class Rnn<T> : RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; weights drawn from <paramref name="rng"/>. <paramref name="nonlinearity"/> is φ: tanh (default) or ReLU.</summary>
    public Rnn(int inputSize, int hiddenSize, SeededRng rng, RecurrentOptions? options = null, ActivationFunction nonlinearity = ActivationFunction.Tanh)
        : base(Spec(nonlinearity), inputSize, hiddenSize, rng, options) { }

    internal Rnn(RecurrentWeights<T>[][] weights, RecurrentOptions options, ActivationFunction nonlinearity)
        : base(Spec(nonlinearity), weights, options) { }

    /// <summary>φ: <see cref="ActivationFunction.Tanh"/> or <see cref="ActivationFunction.Relu"/>.</summary>
    public ActivationFunction Nonlinearity => Cell == RecurrentCell.RnnRelu ? ActivationFunction.Relu : ActivationFunction.Tanh;

    private static CellSpec Spec(ActivationFunction nonlinearity) => nonlinearity switch
    {
        ActivationFunction.Tanh => CellSpec<RnnSpec>.Instance,
        ActivationFunction.Relu => CellSpec<RnnReluSpec>.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), $"Rnn: the nonlinearity must be tanh or relu, got {nonlinearity}."),
    };
}
