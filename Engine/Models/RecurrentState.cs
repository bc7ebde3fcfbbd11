using SeqLearn.Autograd;

namespace SeqLearn.Models;

/// <summary>
/// The state a stacked recurrent network carries from one window to the next: h (L·D, B, H) and, for an LSTM,
/// c (L·D, B, H). Immutable: a forward pass returns a new state rather than changing this one.
/// </summary>
/// <param name="H">The hidden state of every layer and direction.</param>
/// <param name="C">The LSTM cell state, or null for GRU and RNN.</param>
public sealed record RecurrentState<T>(Var<T> H, Var<T>? C) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// The same values cut off from the graph that produced them (truncated BPTT: the next window's backward
    /// stops here instead of running back through every earlier window).
    /// </summary>
    public RecurrentState<T> Detach() => new(H.Detach(), C?.Detach());

    /// <summary>B, the batch size the state was computed for.</summary>
    public int BatchSize => H.Value.Dim(1);
}
