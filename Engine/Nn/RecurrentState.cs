using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// The state a recurrent cell or layer carries from one step (or window) to the next: h and, for a cell with a
/// cell state (LSTM), c. Each is (B, H) for a cell and (L·D, B, H) for a layer. Immutable: a forward pass returns
/// a new state rather than changing this one.
/// </summary>
/// <param name="H">The hidden state of every layer and direction.</param>
/// <param name="C">The LSTM cell state, or null for GRU and RNN.</param>
public sealed record RecurrentState<T>(Var<T> H, Var<T>? C = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The hidden state of every layer and direction (never null).</summary>
    public Var<T> H { get; init => field = value ?? throw NoH(); } = H ?? throw NoH();

    private static ArgumentNullException NoH() => new(nameof(H), "RecurrentState: h is null; every recurrent state has one.");

    /// <summary>
    /// The same values cut off from the graph that produced them (truncated BPTT: the next window's backward
    /// stops here instead of running back through every earlier window).
    /// </summary>
    public RecurrentState<T> Detach() => new(H.Detach(), C?.Detach());

    /// <summary>B, the batch size the state was computed for (the second-to-last dimension of h).</summary>
    public int BatchSize => H.Value.Dim(H.Value.Rank - 2);
}
