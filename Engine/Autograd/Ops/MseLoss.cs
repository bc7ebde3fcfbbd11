using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Mean squared error: L = Σᵢ (pᵢ − tᵢ)² / n (<see cref="Reduction.Mean"/>) or Σᵢ (pᵢ − tᵢ)² (<see cref="Reduction.Sum"/>),
    /// for prediction p and target t of the same shape.  ∂L/∂p = 2w(p − t),  ∂L/∂t = −2w(p − t), w = 1/n or 1.
    /// </summary>
    public static Var<T> MseLoss<T>(Var<T> prediction, Var<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        Checks.Defined(reduction, "MseLoss", nameof(reduction));
        ShapeUtil.RequireSame(prediction.Value.Shape, target.Value.Shape, "MseLoss (prediction vs. target)", nameof(target));
        var d = Tensor<T>.ZerosLike(prediction.Value);                     // d = p − t, saved for backward
        TensorPrimitives.Subtract<T>(prediction.Value.Span, target.Value.Span, d.Span);
        int n = d.Length;
        T w = reduction == Reduction.Sum ? T.One : T.One / T.CreateTruncating(n);
        var loss = Tensor<T>.Scalar(TensorPrimitives.SumOfSquares<T>(d.Span) * w);
        return Var<T>.FromOp(loss, Node<T>.Tracks(prediction, target) ? new MseLossNode<T>(prediction, target, d, w) : null);
    }
}

internal sealed class MseLossNode<T>(Var<T> prediction, Var<T> target, Tensor<T> d, T w) : Node<T>(prediction, target)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected override void Backward(Tensor<T> gradOutput)
    {
        T scale = (T.One + T.One) * w * gradOutput.Span[0];
        if (prediction.RequiresGrad)
        {
            var gp = GradOf(prediction).Span;
            TensorPrimitives.MultiplyAdd<T>(d.Span, scale, gp, gp);
        }
        if (target.RequiresGrad)
        {
            var gt = GradOf(target).Span;
            TensorPrimitives.MultiplyAdd<T>(d.Span, -scale, gt, gt);
        }
    }
}
