using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// Runs any <see cref="RecurrentCellBase{T}"/> over a sequence, like Keras's <c>keras.layers.RNN(cell)</c>: input
/// (B, T, in), output (B, T, H), the state (B, H) carried from step to step, in time order or, with
/// <c>reverse: true</c>, backwards. This is the layer for a cell of your own (docs/rnn.md#a-cell-of-your-own); the
/// built-in cells run faster in their own layers (<see cref="Lstm{T}"/>, <see cref="Gru{T}"/>, <see cref="Rnn{T}"/>).
/// The cell is the child <c>cell</c>, so its parameters are named <c>cell.weight_ih</c>, ….
/// </summary>
/// <remarks>
/// With lengths, row b keeps its state and outputs zero at steps t ≥ len_b: h ← m ⊙ h' + (1 − m) ⊙ h (c alike),
/// y_t = m ⊙ h', m = [t &lt; len_b], so a row of a padded batch gets what it gets alone.
/// </remarks>
public sealed class RecurrentCellLayer<T> : Module<T>, ISequentialLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A layer of <paramref name="cell"/>; <paramref name="reverse"/> runs from the last step to the first.</summary>
    public RecurrentCellLayer(RecurrentCellBase<T> cell, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(cell);
        Cell = AddModule("cell", cell);
        Reverse = reverse;
    }

    /// <summary>The cell applied at every step.</summary>
    public RecurrentCellBase<T> Cell { get; }

    /// <summary>True when the steps run from T − 1 down to 0.</summary>
    public bool Reverse { get; }

    /// <summary>A zero state for a batch of <paramref name="batch"/> rows: h (and c when the cell has one) (B, H).</summary>
    public RecurrentState<T> InitialState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        return new RecurrentState<T>(new Var<T>(Tensor<T>.Zeros(batch, Cell.HiddenSize)),
            Cell.HasCellState ? new Var<T>(Tensor<T>.Zeros(batch, Cell.HiddenSize)) : null);
    }

    /// <summary>
    /// x (B, T, in) → the outputs (B, T, H) and the final state (B, H). <paramref name="state"/> defaults to zeros;
    /// <paramref name="lengths"/> gives each row's valid steps (outputs past it are zero; the final state is the one at
    /// the last valid step).
    /// </summary>
    public (Var<T> Output, RecurrentState<T> Final) Forward(Var<T> x, RecurrentState<T>? state = null, int[]? lengths = null)
    {
        const string op = "RecurrentCellLayer.Forward";
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3 || x.Value.Dim(2) != Cell.InputSize)
            throw new ArgumentException($"{op}: expected input (B, T, {Cell.InputSize}), got {x.Value.ShapeString}.", nameof(x));
        int b = x.Value.Dim(0);
        // As RecurrentLayer: no empty sequence, and no empty batch (there is no final state to take from it).
        if (b == 0 || x.Value.Dim(1) == 0)
            throw new ArgumentException($"{op}: expected at least one sequence of at least one step, got input {x.Value.ShapeString}.", nameof(x));
        state ??= InitialState(b);
        if (Cell.HasCellState != state.C is not null)
            throw new ArgumentException($"{op}: the cell {(Cell.HasCellState ? "needs" : "has no")} a cell state c, but the given state {(state.C is null ? "has none" : "has one")}.", nameof(state));
        CheckState(state.H, b, op, "h");
        if (state.C is not null) CheckState(state.C, b, op, "c");
        RecurrentLayer<T>.CheckLengths(lengths, b, x.Value.Dim(1), op);
        var (y, h, c) = Unroll(Cell, x, state.H, state.C, lengths, Reverse);
        return (y, new RecurrentState<T>(h, c));
    }

    /// <summary>In a <see cref="Sequential{T}"/>: the output sequence (B, T, H) from a zero state, rows stopped at <see cref="LayerContext.Lengths"/>.</summary>
    Var<T> ISequentialLayer<T>.Forward(Var<T> x, LayerContext context) => Forward(x, null, context.Lengths).Output;

    /// <summary>
    /// The cell's equations step by step over x (B, T, in) from h (and c) (B, H): the outputs (B, T, H) and the final state.
    /// The composed path of every <see cref="RecurrentLayer{T}"/> runs each layer and direction through this.
    /// </summary>
    internal static (Var<T> Y, Var<T> H, Var<T>? C) Unroll(RecurrentCellBase<T> cell, Var<T> x, Var<T> h, Var<T>? c, int[]? lengths, bool reverse)
    {
        int B = x.Value.Dim(0), T_ = x.Value.Dim(1), In = x.Value.Dim(2), H = cell.HiddenSize;
        var outs = new Var<T>[T_];
        for (int s = 0; s < T_; s++)
        {
            int t = reverse ? T_ - 1 - s : s;
            var xt = Ops.Reshape(Ops.Slice(x, 1, t, 1), B, In);           // (B, in)
            var (hNew, cNew) = cell.Step(xt, new RecurrentState<T>(h, c)); // (B, H)
            var m = lengths is null ? null : ActiveMask(lengths, t, H);
            if (m is null)
            {
                (h, c) = (hNew, cNew);
                outs[t] = hNew;
                continue;
            }
            var keep = T.One - m;
            outs[t] = m * hNew;
            h = outs[t] + keep * h;
            if (c is not null) c = m * cNew! + keep * c;
        }
        return (Ops.Concat(outs.Select(o => Ops.Reshape(o, B, 1, H)).ToArray(), 1), h, c); // (B, T, H)
    }

    /// <summary>m (B, H): 1 in the rows still inside their sequence at step t, else 0; null when every row is.</summary>
    private static Var<T>? ActiveMask(int[] lengths, int t, int h)
    {
        if (lengths.All(len => t < len)) return null;
        var m = Tensor<T>.Zeros(lengths.Length, h);
        for (int b = 0; b < lengths.Length; b++)
            if (t < lengths[b]) m.Span.Slice(b * h, h).Fill(T.One);
        return new Var<T>(m);
    }

    private void CheckState(Var<T> v, int batch, string op, string what)
    {
        if (v.Value.Rank != 2 || v.Value.Dim(0) != batch || v.Value.Dim(1) != Cell.HiddenSize)
            throw new ArgumentException($"{op}: initial {what} must be ({batch}, {Cell.HiddenSize}), got {v.Value.ShapeString}.", "state");
    }
}
