using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// A one-direction <see cref="RecurrentLayer{T}"/> run one step at a time for B rows, without a graph and without
/// allocating per step: the decoder of a translation model, whose next input depends on the token it just chose. Per
/// layer l and step, with x the layer's input (the layer below's new h for l &gt; 0):
/// <code>
/// x̂ = x W_ihᵀ + b          (B, G·H)   one GEMM, W_ihᵀ packed once
/// ĥ = h W_hhᵀ              (B, G·H)   one GEMM, W_hhᵀ packed once
/// h, c ← cell(x̂, ĥ, h, c)  (B, H)     the layer's fused gate kernel, in place
/// </code>
/// Bit-identical to <see cref="RecurrentLayer{T}.Forward"/> over one step from the same state (the fused path: the
/// same GEMMs on the same operands, the same gate kernel), whatever the pool's thread count.
/// </summary>
internal sealed class RecurrentRowStepper<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly CellSpec _spec;
    private readonly GateWidth _width;
    private readonly WorkerPool? _pool;
    private readonly int _h, _gh;
    private readonly int _capacity;                          // the rows the buffers hold
    private int _b;                                          // rows decoded now (≤ capacity; a Reorder sets it)
    private readonly int[] _inputs;                          // per layer: E for layer 0, H above
    private readonly GemmPackedB<T>[] _wih, _whh;            // per layer: W_ihᵀ (in, G·H), W_hhᵀ (H, G·H)
    private readonly T[][] _bias, _bhn;                      // per layer: b_ih + b_hh (G·H) (GRU: b_ih only in the n block), b_hn (H) or empty
    private T[][] _hs, _cs, _hSpare, _cSpare;                // per layer: (B, H); the spares receive a reordering
    private readonly T[] _xp, _hp, _acts, _extra;            // (B, G·H), (B, G·H), (B, G·H), (B, H): one step's scratch

    /// <summary>Packs the weights of <paramref name="layer"/> for <paramref name="rows"/> rows; the state starts at zero.</summary>
    public RecurrentRowStepper(RecurrentLayer<T> layer, int rows, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (layer.Directions != 1) throw new ArgumentException("RecurrentRowStepper: a bidirectional layer cannot run one step at a time.", nameof(layer));
        var kernels = layer.Options.Kernels ?? KernelPath.Default;
        (_spec, _width, _pool, _b, _capacity, _h) = (layer.CellSpec, kernels.Gates, pool, rows, rows, layer.HiddenSize);
        _gh = _spec.Gates * _h;
        int layers = layer.NumLayers;
        (_inputs, _wih, _whh, _bias, _bhn) = (new int[layers], new GemmPackedB<T>[layers], new GemmPackedB<T>[layers], new T[layers][], new T[layers][]);
        for (int l = 0; l < layers; l++)
        {
            var w = layer.WeightsOf(l, 0);
            int input = w.WeightIh.Value.Dim(1);
            _inputs[l] = input;
            _wih[l] = GemmPackedB<T>.Create(kernels.GemmFor<T>(), GemmBlocking.For<T>(), true, input, _gh, w.WeightIh.Value.Span, input);
            _whh[l] = GemmPackedB<T>.Create(kernels.GemmFor<T>(), GemmBlocking.For<T>(), true, _h, _gh, w.WeightHh.Value.Span, _h);
            _bias[l] = new T[_gh];
            TensorPrimitives.Add(w.BiasIh.Value.Span, w.BiasHh.Value.Span, _bias[l]);
            _bhn[l] = [];
            if (_spec.HiddenBiasApart)
            {
                int last = _gh - _h;
                w.BiasIh.Value.Span.Slice(last, _h).CopyTo(_bias[l].AsSpan(last));   // b_hn stays inside r ⊙ (·)
                _bhn[l] = w.BiasHh.Value.Span.Slice(last, _h).ToArray();
            }
        }
        _hs = NewStates(layers, rows * _h);
        _hSpare = NewStates(layers, rows * _h);
        _cs = _spec.HasCellState ? NewStates(layers, rows * _h) : NewStates(layers, 0);
        _cSpare = _spec.HasCellState ? NewStates(layers, rows * _h) : NewStates(layers, 0);
        (_xp, _hp, _acts, _extra) = (new T[rows * _gh], new T[rows * _gh], new T[rows * _gh], new T[rows * _h]);
    }

    /// <summary>L.</summary>
    public int Layers => _inputs.Length;

    /// <summary>B, the rows decoded now (a <see cref="Reorder"/> sets it, up to the rows the stepper was built for).</summary>
    public int Rows => _b;

    /// <summary>h of layer <paramref name="layer"/> (B, H); the top layer's is the step's output.</summary>
    public Span<T> H(int layer) => _hs[layer].AsSpan(0, _b * _h);

    /// <summary>c of layer <paramref name="layer"/> (B, H); empty for a cell without one.</summary>
    public Span<T> C(int layer) => _spec.HasCellState ? _cs[layer].AsSpan(0, _b * _h) : default;

    /// <summary>
    /// One step of every layer: x (B, E) → the layers' new states, in place; the output is <see cref="H"/>(L − 1).
    /// </summary>
    public void Step(ReadOnlySpan<T> x)
    {
        if (x.Length != _b * _inputs[0])
            throw new ArgumentException($"RecurrentRowStepper.Step: expected x ({_b}, {_inputs[0]}), got {x.Length} values.", nameof(x));
        int H = _h, GH = _gh;
        for (int l = 0; l < Layers; l++)
        {
            ReadOnlySpan<T> input = l == 0 ? x : _hs[l - 1].AsSpan(0, _b * H);                            // (B, in)
            Gemm.Compute(false, _b, T.One, input, _inputs[l], _wih[l], T.Zero, _xp, GH, _pool);             // x̂ (B, G·H)
            for (int r = 0; r < _b; r++) TensorPrimitives.Add(_xp.AsSpan(r * GH, GH), _bias[l], _xp.AsSpan(r * GH, GH));
            Gemm.Compute(false, _b, T.One, _hs[l], H, _whh[l], T.Zero, _hp, GH, _pool);                    // ĥ (B, G·H)
            for (int r = 0; r < _b; r++)
                _spec.Forward<T>(_xp.AsSpan(r * GH, GH), _hp.AsSpan(r * GH, GH), _bhn[l], _hs[l].AsSpan(r * H, H),
                    _spec.HasCellState ? _cs[l].AsSpan(r * H, H) : default, _acts.AsSpan(r * GH, GH), _extra.AsSpan(r * H, H), _width);
        }
    }

    /// <summary>
    /// Row r of every state becomes row <paramref name="parents"/>[r] of the state before (a beam's reordering), and B becomes
    /// the number of parents: fewer drop rows (decoders drop finished ones), more copy rows, up to the rows the stepper was
    /// built for (beam search starts with one row per source and widens it to K after the first step).
    /// </summary>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length > _capacity) throw new ArgumentException($"RecurrentRowStepper.Reorder: {parents.Length} parents, but the stepper holds {_capacity} rows.", nameof(parents));
        foreach (int p in parents)
            if ((uint)p >= (uint)_b) throw new ArgumentOutOfRangeException(nameof(parents), $"RecurrentRowStepper.Reorder: parent {p} is outside [0, {_b}).");
        Gather(_hs, _hSpare, parents);
        (_hs, _hSpare) = (_hSpare, _hs);
        if (_spec.HasCellState)
        {
            Gather(_cs, _cSpare, parents);
            (_cs, _cSpare) = (_cSpare, _cs);
        }
        _b = parents.Length;
    }

    /// <summary>Gives the packed weights back to their pool.</summary>
    public void Dispose()
    {
        foreach (var w in _wih) w.Dispose();
        foreach (var w in _whh) w.Dispose();
    }

    private void Gather(T[][] from, T[][] to, ReadOnlySpan<int> parents)
    {
        int H = _h;
        for (int l = 0; l < from.Length; l++)
            for (int r = 0; r < parents.Length; r++)
                from[l].AsSpan(parents[r] * H, H).CopyTo(to[l].AsSpan(r * H, H));
    }

    private static T[][] NewStates(int layers, int length)
    {
        var states = new T[layers][];
        for (int l = 0; l < layers; l++) states[l] = new T[length];
        return states;
    }
}
