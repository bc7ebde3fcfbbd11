using SeqLearn.Autograd;

namespace SeqLearn.Nn;

/// <summary>
/// Keeps the last time step of a sequence, (B, T, F) → (B, F): what Keras's <c>return_sequences=False</c> gives, for
/// many-to-one models (classify or forecast from the final hidden vector). In a padded batch
/// (<see cref="LayerContext.Lengths"/>) it takes each row's last valid step, len_b − 1, not the padding at T − 1.
/// Built with <c>bidirectional: true</c> for the (B, T, 2H) output of a bidirectional recurrent layer, it takes the
/// forward half at the last valid step and the reverse half at step 0, where the reverse direction has read the
/// whole row (PyTorch's <c>h_n</c> of both directions, Keras's <c>Bidirectional(LSTM(...))</c>). No parameters.
/// </summary>
public sealed class LastStep<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; <paramref name="bidirectional"/> splits the features into forward and reverse halves.</summary>
    public LastStep(bool bidirectional = false) => Bidirectional = bidirectional;

    /// <summary>Whether the features are [forward H | reverse H] halves of a bidirectional output.</summary>
    public bool Bidirectional { get; }

    /// <summary>
    /// x (B, T, F) → (B, F): x[b, len_b − 1, :] (len_b = T when <paramref name="lengths"/> is null); bidirectional:
    /// [x[b, len_b − 1, :F/2] | x[b, 0, F/2:]].
    /// </summary>
    public Var<T> Forward(Var<T> x, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ArgumentException($"LastStep: expected (B, T, F), got {x.Value.ShapeString}.", nameof(x));
        if (x.Value.Dim(1) == 0) throw new ArgumentException($"LastStep: a sequence of no steps has no last step, got {x.Value.ShapeString}.", nameof(x));
        int b = x.Value.Dim(0), f = x.Value.Dim(2);
        if (!Bidirectional) return Last(x, lengths);
        if (f % 2 != 0) throw new ArgumentException($"LastStep: a bidirectional output has an even feature size (2H), got {x.Value.ShapeString}.", nameof(x));
        int h = f / 2;
        var forward = Last(Ops.Slice(x, 2, 0, h), lengths);                                  // (B, H) at len_b − 1
        var reverse = Ops.Reshape(Ops.Slice(Ops.Slice(x, 2, h, h), 1, 0, 1), b, h);         // (B, H) at step 0
        return Ops.Concat([forward, reverse], 1);
    }

    private static Var<T> Last(Var<T> x, int[]? lengths)
    {
        int b = x.Value.Dim(0), t = x.Value.Dim(1), f = x.Value.Dim(2);
        return lengths is null ? Ops.Reshape(Ops.Slice(x, 1, t - 1, 1), b, f) : Ops.LastValidStep(x, lengths);
    }

    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, context.Lengths);
}
