using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Masked mean squared error: L = Σᵢ mᵢ (pᵢ − tᵢ)² / Σᵢ mᵢ (<see cref="Reduction.Mean"/>; 0 with a zero gradient when
    /// every mᵢ = 0) or Σᵢ mᵢ (pᵢ − tᵢ)² (<see cref="Reduction.Sum"/>), with mᵢ ∈ {0, 1}. The mask has the shape of the
    /// prediction or a leading part of it, e.g. (B, T) for a (B, T, F) prediction, each mask entry covering the
    /// trailing axes (Σᵢ mᵢ counts the covered elements). Masked elements are skipped, never multiplied by 0, so
    /// padding may hold anything (even NaN); the kept terms are summed in order, one at a time.
    /// ∂L/∂pᵢ = 2w mᵢ (pᵢ − tᵢ),  ∂L/∂tᵢ = −2w mᵢ (pᵢ − tᵢ),  w = 1/Σm or 1.
    /// </summary>
    public static Var<T> MseLoss<T>(Var<T> prediction, Var<T> target, Tensor<T> mask, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        Checks.Defined(reduction, "MseLoss", nameof(reduction));
        var p = prediction.Value;
        ShapeUtil.RequireSame(p.Shape, target.Value.Shape, "MseLoss (prediction vs. target)", nameof(target));
        if (mask.Rank > p.Rank || !p.Shape[..mask.Rank].SequenceEqual(mask.Shape))
            throw new ArgumentException($"MseLoss: the mask {mask.ShapeString} is neither the prediction's shape {p.ShapeString} nor a leading part of it.", nameof(mask));
        int inner = mask.Length == 0 ? 1 : p.Length / mask.Length;             // elements covered by one mask entry
        var ms = mask.Span;
        var d = Tensor<T>.ZerosLike(p);                                        // d = m ⊙ (p − t), saved for backward
        var ds = d.Span;
        var ps = p.Span;
        var ts = target.Value.Span;
        T total = T.Zero;
        int kept = 0;
        for (int e = 0; e < ms.Length; e++)
        {
            if (ms[e] == T.Zero) continue;
            if (ms[e] != T.One)
                throw new ArgumentException($"MseLoss: mask entry {e} is {ms[e]}; a mask holds 0 or 1.", nameof(mask));
            kept += inner;
            for (int i = e * inner; i < (e + 1) * inner; i++)
            {
                ds[i] = ps[i] - ts[i];
                total += ds[i] * ds[i];
            }
        }
        T w = reduction == Reduction.Sum || kept == 0 ? T.One : T.One / T.CreateTruncating(kept);
        var loss = Tensor<T>.Scalar(total * w);
        // d is 0 at masked elements, so the unmasked loss's backward, 2w·d, is exactly the masked one.
        return Var<T>.FromOp(loss, Node<T>.Tracks(prediction, target) ? new MseLossNode<T>(prediction, target, d, w) : null);
    }
}
