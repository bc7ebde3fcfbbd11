using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// One recorded op in the graph: its inputs, whatever it saved in the forward pass, and its backward.
/// Each op lives in one file under <c>Autograd/Ops</c> with its forward (a static method on
/// <see cref="Ops"/>) and its node (a subclass of this) side by side.
/// </summary>
/// <remarks>
/// A custom op is the same two pieces written outside the library: a subclass that passes its inputs to this
/// constructor and overrides <see cref="Backward"/> (as <c>protected override</c>), and a forward that computes the
/// value and returns <see cref="Var{T}.FromOp"/>(value, <see cref="Tracks(Var{T})"/>(x) ? new MyNode(…) : null).
/// Backward adds ∂L/∂input into <see cref="GradOf"/>(input) for each input that <see cref="Var{T}.RequiresGrad"/>,
/// never overwrites, and does not keep <c>gradOutput</c> (its storage is reused once backward returns).
/// Check it with <see cref="GradientCheck"/> in float64 (docs/autograd.md#custom-ops).
/// </remarks>
public abstract class Node<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Records the inputs of the op; none may be null.</summary>
    protected Node(params Var<T>[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentException($"{Checks.TypeName(GetType())}: input {i} is null.", nameof(inputs));
        Inputs = inputs;
        _leafGradients = LeafGradients<T>.Active;
    }

    /// <summary>Where this node's backward adds leaf gradients: the set in effect on the thread that recorded it, or the leaves' own (null).</summary>
    private readonly LeafGradients<T>? _leafGradients;

    /// <summary>The op's inputs, in call order.</summary>
    public IReadOnlyList<Var<T>> Inputs { get; }

    /// <summary>A short op name for messages ("Tanh", "MatMul").</summary>
    public virtual string OpName
    {
        get
        {
            string n = Checks.TypeName(GetType());
            return n.EndsWith("Node", StringComparison.Ordinal) ? n[..^4] : n;
        }
    }

    /// <summary>
    /// Given ∂L/∂output, adds ∂L/∂input into <see cref="GradOf"/>(input) for every input that
    /// <see cref="Var{T}.RequiresGrad"/>. Must add (+=), never overwrite: an input can feed several ops.
    /// </summary>
    protected abstract void Backward(Tensor<T> gradOutput);

    /// <summary>Runs <see cref="Backward"/> (the backward sweep's entry point).</summary>
    internal void RunBackward(Tensor<T> gradOutput) => Backward(gradOutput);

    /// <summary>
    /// The gradient accumulator of <paramref name="input"/> for this backward pass (zeros when first asked): for a leaf its
    /// <see cref="Var{T}.Grad"/>, or its buffer in the <see cref="LeafGradients{T}"/> in effect when this node was recorded.
    /// </summary>
    protected Tensor<T> GradOf(Var<T> input)
    {
        if (input.GraphReleased)
            throw new InvalidOperationException(
                "Backward: trying to backpropagate through a part of the graph that an earlier Backward already released. Recompute the forward pass (or Detach the value if it should be a constant).");
        if (input.Creator is null)
            return _leafGradients is { } set ? set.For(input) : input.Grad ??= Tensor<T>.ZerosLike(input.Value);
        return input.PendingGrad ??= Tensor<T>.RentZeros(input.Value); // back to the pool once input's creator has run
    }

    /// <summary>
    /// ∂L/∂input += <paramref name="gradOutput"/> for an op whose gradient passes through unchanged (a reshape). When the
    /// input is a non-leaf with no gradient yet and gradOutput is a buffer of the sweep's own (<see cref="GradOf"/>'s), the
    /// buffer itself becomes the input's gradient (no zeroing, no add, no copy); otherwise it is added.
    /// </summary>
    private protected void AddPassThrough(Var<T> input, Tensor<T> gradOutput)
    {
        if (input.Creator is not null && input.PendingGrad is null && !input.GraphReleased && gradOutput.TakeOwned(input.Value) is { } moved)
        {
            input.PendingGrad = moved;
            return;
        }
        var gx = GradOf(input).Span;
        TensorPrimitives.Add(gx, gradOutput.Span, gx);
    }

    /// <summary>True when the graph is being recorded and any input wants a gradient.</summary>
    public static bool Tracks(Var<T> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return GradMode.IsEnabled && a.RequiresGrad;
    }

    /// <inheritdoc cref="Tracks(Var{T})"/>
    public static bool Tracks(Var<T> a, Var<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);
    }

    /// <inheritdoc cref="Tracks(Var{T})"/>
    public static bool Tracks(ReadOnlySpan<Var<T>> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var v in inputs) if (v.RequiresGrad) return true;
        return false;
    }
}
