using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// Reverse-mode sweep: order the graph topologically from the root (iteratively, so 10⁵-node graphs from
/// long sequences do not overflow the stack), then call each node's backward in reverse order, so a
/// value's gradient is complete before it is propagated further. The graph is released as it goes, and each
/// intermediate gradient's storage, rented by <see cref="Node{T}.GradOf"/>, goes back to the pool.
/// </summary>
internal static class BackwardEngine<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static void Run(Var<T> root, Tensor<T> seed)
    {
        if (root.GraphReleased)
            throw new InvalidOperationException("Backward: this value's graph was already released by an earlier Backward. Recompute the forward pass.");
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the root does not require a gradient (no input requires one, or it was computed inside a NoGradScope).");
        if (root.Creator is null)
        {
            // A leaf root: its gradient is the seed itself.
            var g = LeafGradients<T>.Active is { } set ? set.For(root) : root.Grad ??= Tensor<T>.ZerosLike(root.Value);
            TensorPrimitives.Add(g.Span, seed.Span, g.Span);
            return;
        }

        var order = TopologicalOrder(root);
        root.PendingGrad = seed;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var v = order[i];
            var node = v.Creator!;
            var grad = v.PendingGrad;
            if (grad is not null) node.RunBackward(grad);
            v.ReleaseGraph();
            // Nothing refers to a non-leaf's gradient once its creator has run (no op keeps or aliases gradOutput),
            // so large ones go back to the array pool for the next pass instead of to the GC.
            grad?.ReturnRented();
        }
    }

    /// <summary>Post-order of the non-leaf values reachable from <paramref name="root"/> (inputs before users).</summary>
    private static List<Var<T>> TopologicalOrder(Var<T> root)
    {
        var order = new List<Var<T>>();
        var visited = new HashSet<Var<T>>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Var<T> Value, int NextInput)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (v, next) = stack.Pop();
            var inputs = v.Creator!.Inputs;
            if (next < inputs.Count)
            {
                stack.Push((v, next + 1));
                var input = inputs[next];
                if (input.RequiresGrad && input.Creator is not null && visited.Add(input))
                    stack.Push((input, 0));
            }
            else
            {
                order.Add(v);
            }
        }
        return order;
    }
}
