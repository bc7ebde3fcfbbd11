using SeqLearn.Kernels;

namespace SeqLearn.Nn;

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

/// <summary>Construction options shared by <see cref="Rnn{T}"/>, <see cref="Lstm{T}"/> and <see cref="Gru{T}"/>.</summary>
/// <param name="NumLayers">L stacked layers; layer k &gt; 0 reads the output of layer k − 1.</param>
/// <param name="Bidirectional">Adds a reverse direction per layer (D = 2); outputs are concatenated (B, T, 2H).</param>
/// <param name="Dropout">Dropout probability on the output of every layer but the last (training mode only).</param>
/// <param name="Path">Fused (default) or composed computation; same values and gradients.</param>
/// <param name="ParallelSteps">
/// Fused path: also run each time step's GEMM and gate kernel on the <c>WorkerPool</c> (the all-steps GEMMs always
/// use it). On by default: with two free cores it is 1.3–2.0× the serial steps for every cell but the H = 256 RNN
/// (docs/results/2026-12.md, RNN section),
/// and it is what PyTorch's OpenBLAS does too. A layer whose packed W_hh is at most 1 MiB runs its whole time loop as
/// one pool call over blocks of batch rows, with no barrier per step; a larger one splits each step on the pool, with
/// two barriers per step, so on a machine whose other cores are busy a descheduled worker stalls every step (measured
/// 2–5× slower per-step GEMMs under load 4–7): turn it off there. Results are bit-identical either way.
/// </param>
public sealed record RecurrentOptions(int NumLayers = 1, bool Bidirectional = false, double Dropout = 0, RecurrentPath Path = RecurrentPath.Fused,
    bool ParallelSteps = true)
{
    /// <summary>
    /// Fused path: the vector path of the layer's GEMMs and gate kernels; null for <see cref="KernelPath.Default"/>.
    /// Tests run whole layers on the ARM64 128-bit path this way (docs/kernels.md §6).
    /// </summary>
    internal KernelPath? Kernels { get; init; }
}

/// <summary>The four parameters of one layer and direction, in PyTorch's packed layout.</summary>
/// <param name="WeightIh">W_ih (G·H, in).</param>
/// <param name="WeightHh">W_hh (G·H, H).</param>
/// <param name="BiasIh">b_ih (G·H).</param>
/// <param name="BiasHh">b_hh (G·H).</param>
public sealed record RecurrentWeights<T>(Autograd.Var<T> WeightIh, Autograd.Var<T> WeightHh, Autograd.Var<T> BiasIh, Autograd.Var<T> BiasHh)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
