using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Forecasting;

/// <summary>
/// The network of a <see cref="RecurrentForecaster"/>: a recurrent layer read at its last step, plus (optionally) a
/// linear path straight from the window, the autoregressive component of LSTNet (Lai et al. 2018):
/// <code>
/// h = RNN(x)[:, T − 1, :]                         (B, H)
/// ẑ = W h + b                                     (B, K)    without the linear path
/// ẑ = W h + b + A vec(x)                          (B, K)    with it; A (K, T·F), vec(x) (B, T·F)
/// </code>
/// The linear path is an AR model of order T inside the network (A starts at zero, so training starts from the
/// recurrent model alone): the network can extrapolate linearly beyond the range of the training windows, where a
/// tanh layer saturates, and the recurrent part learns what the linear model misses.
/// </summary>
public sealed class RecurrentForecastNetwork<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Sequential<T> _recurrent;
    private readonly Linear<T>? _linear;

    /// <summary>Builds the network for windows (T, F) → K outputs; parameters drawn from <paramref name="rng"/>.</summary>
    public RecurrentForecastNetwork(RecurrentCell cell, int lookBack, int features, int hidden, int layers, int outputs, bool linearPath, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (LookBack, Features) = (lookBack, features);
        _recurrent = AddModule("rnn", new Sequential<T>(
            RecurrentLayer<T>.Create(cell, features, hidden, rng, new RecurrentOptions(NumLayers: layers)),
            new LastStep<T>(),
            new Linear<T>(hidden, outputs, rng)));
        if (!linearPath) return;
        _linear = AddModule("ar", new Linear<T>(lookBack * features, outputs, rng, bias: false));
        _linear.Weight.Value.Span.Clear();
    }

    /// <summary>T, the window length.</summary>
    public int LookBack { get; }

    /// <summary>F, features per step.</summary>
    public int Features { get; }

    /// <summary>x (B, T, F) → ẑ (B, K).</summary>
    public Var<T> Forward(Var<T> x, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(context);
        if (x.Value.Rank != 3 || x.Value.Dim(1) != LookBack || x.Value.Dim(2) != Features)
            throw new ArgumentException($"RecurrentForecastNetwork: expected (B, {LookBack}, {Features}), got {x.Value.ShapeString}.");
        var y = ((ISequentialLayer<T>)_recurrent).Forward(x, context);                       // (B, K)
        if (_linear is null) return y;
        var flat = Ops.Reshape(x, x.Value.Dim(0), LookBack * Features);                     // (B, T·F)
        return Ops.Add(y, _linear.Forward(flat, context.Pool));
    }
}
