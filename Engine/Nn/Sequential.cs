using System.Globalization;
using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// Layers applied one after the other, like Keras's <c>Sequential([Embedding, LSTM, Dense])</c> or PyTorch's
/// <c>nn.Sequential</c>:
/// <code>
/// var model = new Sequential&lt;float&gt;(
///     new Embedding&lt;float&gt;(V, 64, rng),       // ids (B, T) → (B, T, 64)
///     new Lstm&lt;float&gt;(64, 256, rng),           // → (B, T, 256)   (zero initial state, state discarded)
///     new Dropout&lt;float&gt;(0.2),
///     new Linear&lt;float&gt;(256, V, rng));         // → (B, T, V)
/// Var&lt;float&gt; logits = model.Forward(ids, batch, steps, new LayerContext(rng, pool));
/// </code>
/// Children are registered as <c>0</c>, <c>1</c>, … so parameter names read <c>1.weight_ih_l0</c>, as in PyTorch.
/// Every layer but a leading <see cref="Embedding{T}"/> must implement <see cref="ISequentialLayer{T}"/>; a nested
/// <c>Sequential</c> that starts with an Embedding takes ids, not a tensor, so it is refused at any position (put its
/// layers in the outer stack).
/// For a recurrent model that carries state across windows use <c>Models.LanguageModel</c> instead.
/// </summary>
public sealed class Sequential<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Embedding<T>? _embedding;
    private readonly ISequentialLayer<T>[] _layers;

    /// <summary>Builds the stack; throws naming the position of a layer that cannot be chained.</summary>
    public Sequential(params Module<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("Sequential: needs at least one layer.", nameof(layers));
        var chain = new List<ISequentialLayer<T>>();
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i] ?? throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null.");
            AddModule(i.ToString(CultureInfo.InvariantCulture), layer);
            if (i == 0 && layer is Embedding<T> embedding) _embedding = embedding;
            else if (layer is ISequentialLayer<T> s and not Sequential<T> { _embedding: not null }) chain.Add(s);
            else throw new ArgumentException($"Sequential: layer {i} ({Checks.TypeName(layer.GetType())}) takes no single tensor input" + layer switch
            {
                Embedding<T> => " (an Embedding can only come first).",
                Sequential<T> => " (its first layer is an Embedding, which takes token ids: put its layers in this Sequential).",
                _ => ".",
            }, nameof(layers));
        }
        _layers = [.. chain];
        Layers = [.. layers];
    }

    /// <summary>The layers in order (child <c>i</c> is <c>Layers[i]</c>).</summary>
    public IReadOnlyList<Module<T>> Layers { get; }

    /// <summary>The number of layers.</summary>
    public int Count => Layers.Count;

    /// <summary>x → the last layer's output. Not for a stack that starts with an <see cref="Embedding{T}"/> (pass ids).</summary>
    public Var<T> Forward(Var<T> x, LayerContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_embedding is not null)
            throw new InvalidOperationException("Sequential: the first layer is an Embedding; call Forward(ids, batch, steps).");
        return Chain(x, context ?? LayerContext.None);
    }

    /// <summary>ids (B·T, row-major) through the leading embedding → (B, T, E) → the remaining layers.</summary>
    public Var<T> Forward(ReadOnlySpan<int> ids, int batch, int steps, LayerContext? context = null)
    {
        if (_embedding is null)
            throw new InvalidOperationException("Sequential: token ids need an Embedding as the first layer.");
        return Chain(_embedding.Forward(ids, batch, steps), context ?? LayerContext.None);
    }

    /// <summary>A stack without a leading embedding is itself a layer: x → the last layer's output.</summary>
    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context);

    private Var<T> Chain(Var<T> x, LayerContext context)
    {
        foreach (var layer in _layers) x = layer.Forward(x, context);
        return x;
    }
}
