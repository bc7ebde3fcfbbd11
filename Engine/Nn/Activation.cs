using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>The elementwise functions an <see cref="Activation{T}"/> layer applies.</summary>
public enum ActivationFunction
{
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    Sigmoid,
    /// <summary>max(0, x).</summary>
    Relu,
}

/// <summary>An elementwise nonlinearity as a layer (Keras's <c>Activation("tanh")</c>, PyTorch's <c>nn.Tanh()</c>). No parameters.</summary>
public sealed class Activation<T>(ActivationFunction function) : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The function applied.</summary>
    public ActivationFunction Function { get; } = Checks.Defined(function, "Activation", nameof(function));

    /// <summary>y = φ(x), same shape.</summary>
    public Var<T> Forward(Var<T> x) => Function switch
    {
        ActivationFunction.Tanh => Ops.Tanh(x),
        ActivationFunction.Sigmoid => Ops.Sigmoid(x),
        ActivationFunction.Relu => Ops.Relu(x),
        _ => throw new InvalidOperationException($"Activation: unknown function {Function}."),
    };

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x);
}
