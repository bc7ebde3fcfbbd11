using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// A node value in the autograd graph: a <see cref="Tensor{T}"/> plus, when it was computed by an op
/// from inputs that require gradients, the <see cref="Node{T}"/> that made it (its <see cref="Creator"/>).
/// Leaves (parameters, inputs) have no creator; <see cref="Backward()"/> accumulates into their
/// <see cref="Grad"/>. Gradients accumulate across calls: zero them explicitly with <see cref="ZeroGrad"/>.
/// </summary>
public sealed partial class Var<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private bool _graphReleased;

    /// <summary>A leaf holding <paramref name="value"/>.</summary>
    public Var(Tensor<T> value, bool requiresGrad = false, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        RequiresGrad = requiresGrad;
        Name = name;
    }

    private Var(Tensor<T> value, Node<T> creator)
    {
        Value = value;
        RequiresGrad = true;
        Creator = creator;
        value.GraphRecorded();   // a Release, through any Var holding the tensor, waits until ReleaseGraph
    }

    /// <summary>The forward value.</summary>
    public Tensor<T> Value { get; }

    /// <summary>The accumulated gradient of a leaf (null until a backward reaches it).</summary>
    public Tensor<T>? Grad { get; internal set; }

    /// <summary>Whether gradients flow to (or through) this value.</summary>
    public bool RequiresGrad { get; }

    /// <summary>An optional name used in error messages (parameter names, for example).</summary>
    public string? Name { get; set; }

    /// <summary>The op that produced this value, or null for a leaf (and after the graph is released).</summary>
    public Node<T>? Creator { get; private set; }

    /// <summary>True for values not produced by a recorded op.</summary>
    public bool IsLeaf => Creator is null && !_graphReleased;

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>Gradient being accumulated for a non-leaf during one backward pass.</summary>
    internal Tensor<T>? PendingGrad;

    /// <summary>
    /// Wraps the result of an op: the forward value and the <see cref="Node{T}"/> whose backward propagates its gradient,
    /// or null when no gradient is tracked (then the result is a constant). This is how every op, a custom one included,
    /// joins the graph (docs/autograd.md#custom-ops):
    /// <code>
    /// public static Var&lt;T&gt; Softsign&lt;T&gt;(Var&lt;T&gt; x) where T : unmanaged, IBinaryFloatingPointIeee754&lt;T&gt;
    /// {
    ///     var y = …;                                                         // forward into a new tensor
    ///     return Var&lt;T&gt;.FromOp(y, Node&lt;T&gt;.Tracks(x) ? new SoftsignNode&lt;T&gt;(x) : null);
    /// }
    /// </code>
    /// <paramref name="value"/> becomes the result's storage: do not change it afterwards.
    /// </summary>
    public static Var<T> FromOp(Tensor<T> value, Node<T>? creator)
    {
        ArgumentNullException.ThrowIfNull(value);
        return creator is null ? new Var<T>(value) : new Var<T>(value, creator);
    }

    /// <summary>A new leaf sharing this value's storage, cut from the graph (no gradient flows through it).</summary>
    public Var<T> Detach() => new(Value, requiresGrad: false, Name);

    /// <summary>
    /// Declares that nothing reads this value again and gives its storage back (<see cref="Tensor{T}.Release"/>): a
    /// training or benchmark loop that drops a recurrent layer's output each pass, as PyTorch frees <c>y</c> when its
    /// last reference goes, gets the same, already mapped memory on the next pass (docs/autograd.md#releasing-outputs).
    /// While the value is the output of a recorded op whose backward has not run (that backward may read it), the release
    /// waits and happens when the graph is released. Afterwards any use of the value throws
    /// <see cref="ObjectDisposedException"/>. The gradient is not touched.
    /// </summary>
    public void Release() => Value.Release();

    /// <summary>The single value of a one-element Var (a loss), like PyTorch's <c>item()</c>; any other shape is an error.</summary>
    public T Item() => Value.Length == 1 ? Value.Span[0]
        : throw new InvalidOperationException($"Var.Item: the value has {Value.Length} elements ({Value.ShapeString}); Item needs exactly one.");

    /// <summary>Sets <see cref="Grad"/> to zeros (keeps the buffer). Gradients never reset themselves.</summary>
    public void ZeroGrad() => Grad?.Span.Clear();

    /// <summary>Backpropagates from a scalar (one-element) value with seed gradient 1.</summary>
    public void Backward()
    {
        if (Value.Length != 1)
            throw new InvalidOperationException(
                $"Backward: the root has shape {Value.ShapeString}; only a one-element value has an implicit gradient of 1. Pass the upstream gradient explicitly with Backward(gradient).");
        var seed = Tensor<T>.ZerosLike(Value);
        seed.Span[0] = T.One;
        BackwardEngine<T>.Run(this, seed);
    }

    /// <summary>Backpropagates from this value with upstream gradient <paramref name="gradient"/> (same shape).</summary>
    public void Backward(Tensor<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        ShapeUtil.RequireSame(Value.Shape, gradient.Shape, "Backward (root value vs. upstream gradient)", nameof(gradient));
        BackwardEngine<T>.Run(this, gradient.Clone());
    }

    internal void ReleaseGraph()
    {
        if (Creator is not null) Value.GraphReleased();
        Creator = null;
        PendingGrad = null;
        _graphReleased = true;
    }

    internal bool GraphReleased => _graphReleased;

    /// <inheritdoc/>
    public override string ToString() => $"Var{(Name is null ? "" : " " + Name)} {Value}";
}
