using System.Collections.Concurrent;
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
/// <para>
/// Every window is full, and the network tells its recurrent layer so: it passes lengths (all T), with which the fused
/// layer sums the weight gradients in chunks of whole windows, so a window's gradient in a batch of any B·T is
/// bit-identical to its gradient alone (docs/masking.md §3.4).
/// </para>
/// </summary>
public sealed class RecurrentForecastNetwork<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Sequential<T> _recurrent;
    private readonly Linear<T>? _linear;
    private readonly ConcurrentDictionary<int, int[]> _lengths = new();   // B → B lengths of T, never written after it is added
    private ContextWithLengths? _context;                                  // the last context given, and it with the lengths

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
            throw new ArgumentException($"RecurrentForecastNetwork: expected (B, {LookBack}, {Features}), got {x.Value.ShapeString}.", nameof(x));
        var y = ((ISequentialLayer<T>)_recurrent).Forward(x, WithLengths(context, x.Value.Dim(0)));   // (B, K)
        if (_linear is null) return y;
        var flat = Ops.Reshape(x, x.Value.Dim(0), LookBack * Features);                     // (B, T·F)
        return Ops.Add(y, _linear.Forward(flat, context.Pool));
    }

    // The context with lengths T for each of the B windows; the trainer passes one context to every step, so both it and
    // the lengths are reused. Lengths the caller gives must all be T: the linear path reads every step of the window.
    private LayerContext WithLengths(LayerContext context, int batch)
    {
        if (context.Lengths is { } given)
        {
            if (given.Length != batch || given.AsSpan().ContainsAnyExcept(LookBack))
                throw new ArgumentException($"RecurrentForecastNetwork: windows are full, so lengths must be {batch} values of {LookBack} (or none).", nameof(context));
            return context;
        }
        var cached = _context;
        if (cached is not null && ReferenceEquals(cached.Given, context) && cached.WithLengths.Lengths!.Length == batch) return cached.WithLengths;
        var lengths = _lengths.GetOrAdd(batch, static (b, t) => Enumerable.Repeat(t, b).ToArray(), LookBack);
        cached = new ContextWithLengths(context, context with { Lengths = lengths });
        _context = cached;
        return cached.WithLengths;
    }

    private sealed record ContextWithLengths(LayerContext Given, LayerContext WithLengths);
}
