namespace SeqLearn.Nn;

/// <summary>The recurrent cell a layer is made of; fixes the gate count G and the gate order.</summary>
internal enum CellKind
{
    /// <summary>Elman RNN, h' = tanh(·). G = 1.</summary>
    RnnTanh,
    /// <summary>Elman RNN, h' = ReLU(·). G = 1.</summary>
    RnnRelu,
    /// <summary>LSTM, gates i, f, g, o. G = 4.</summary>
    Lstm,
    /// <summary>GRU, gates r, z, n. G = 3.</summary>
    Gru,
}

internal static class CellKindExtensions
{
    /// <summary>Gates stacked in the weights (docs/notation.md letter G).</summary>
    public static int Gates(this CellKind kind) => kind switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };
}

/// <summary>How a recurrent layer computes: both give the same values and gradients (tested).</summary>
public enum RecurrentPath
{
    /// <summary>
    /// One GEMM for the input projection of all steps, a per-step hidden GEMM and a fused SIMD gate kernel,
    /// with a hand-written backward through time. The default.
    /// </summary>
    Fused,
    /// <summary>The cell equations written with primitive autograd ops, step by step (reference and teaching path).</summary>
    Composed,
}

/// <summary>The four parameters of one layer and direction, in PyTorch's packed layout.</summary>
/// <param name="WeightIh">W_ih (G·H, in).</param>
/// <param name="WeightHh">W_hh (G·H, H).</param>
/// <param name="BiasIh">b_ih (G·H).</param>
/// <param name="BiasHh">b_hh (G·H).</param>
public sealed record RecurrentWeights<T>(Autograd.Var<T> WeightIh, Autograd.Var<T> WeightHh, Autograd.Var<T> BiasIh, Autograd.Var<T> BiasHh)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
