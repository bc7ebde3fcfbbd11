using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// A shape or content an op refuses is an <see cref="ArgumentException"/> whose <see cref="ArgumentException.ParamName"/>
/// names the argument at fault, one case per refusal.
/// </summary>
public class ArgumentNameTests
{
    private static Var<double> V(params int[] shape) => new(Tensor<double>.Zeros(shape));

    private static readonly (string Case, string Param, Action Call)[] Cases =
    [
        ("GradientCheck.Check without inputs", "inputs", () => GradientCheck.Check(xs => xs[0])),
        ("GradientCheck.Check of a constant", "f", () => GradientCheck.Check(_ => V(1), Tensor<double>.Zeros(1))),
        ("GradientCheck.CheckParameters of a vector loss", "loss", () => GradientCheck.CheckParameters(() => V(2), [new Var<double>(Tensor<double>.Zeros(1), requiresGrad: true)])),
        ("AdditiveScores keys of rank 2", "keys", () => Ops.AdditiveScores(V(2, 3), V(2, 1, 3), V(3))),
        ("AdditiveScores queries of another batch", "queries", () => Ops.AdditiveScores(V(2, 4, 3), V(1, 1, 3), V(3))),
        ("AdditiveScores v of another width", "v", () => Ops.AdditiveScores(V(2, 4, 3), V(2, 1, 3), V(2))),
        ("BatchedMatMul a of rank 2", "a", () => Ops.BatchedMatMul(V(2, 3), V(1, 3, 2))),
        ("BatchedMatMul b of rank 2", "b", () => Ops.BatchedMatMul(V(1, 2, 3), V(3, 2))),
        ("BatchedMatMul batch sizes", "b", () => Ops.BatchedMatMul(V(1, 2, 3), V(2, 3, 2))),
        ("BatchedMatMul inner sizes", "b", () => Ops.BatchedMatMul(V(1, 2, 3), V(1, 4, 2))),
        ("Concat of nothing", "xs", () => Ops.Concat(Array.Empty<Var<double>>(), 0)),
        ("Concat of mismatched shapes", "xs", () => Ops.Concat([V(2, 3), V(2, 4)], 0)),
        ("GatherRows from a vector", "table", () => Ops.GatherRows(V(3), [0])),
        ("LastValidStep of rank 2", "x", () => Ops.LastValidStep(V(2, 3), [1, 1])),
        ("MaskedMean of rank 2", "x", () => Ops.MaskedMean(V(2, 3), [1, 1])),
        ("LinearCrossEntropy x of rank 1", "x", () => Ops.LinearCrossEntropy(V(3), V(4, 3), null, [0])),
        ("LinearCrossEntropy W of another width", "weight", () => Ops.LinearCrossEntropy(V(2, 3), V(4, 2), null, [0, 1])),
        ("LinearCrossEntropy bias", "bias", () => Ops.LinearCrossEntropy(V(2, 3), V(4, 3), V(3), [0, 1])),
        ("LinearCrossEntropy targets", "targets", () => Ops.LinearCrossEntropy(V(2, 3), V(4, 3), null, [0])),
        ("LogSoftmax of a scalar", "x", () => Ops.LogSoftmax(V())),
        ("Softmax of a scalar", "x", () => Ops.Softmax(V())),
        ("MseLoss mask shape", "mask", () => Ops.MseLoss(V(2, 3), V(2, 3), Tensor<double>.Ones(3))),
        ("MseLoss mask entry", "mask", () => Ops.MseLoss(V(2, 3), V(2, 3), Tensor<double>.Full(0.5, 2))),
        ("MaskedSoftmax of rank 1", "scores", () => Ops.MaskedSoftmax(V(3), [1])),
        ("MatMul a of rank 3", "a", () => Ops.MatMul(V(1, 2, 3), V(3, 2))),
        ("MatMul b of rank 1", "b", () => Ops.MatMul(V(2, 3), V(3))),
        ("MatMul inner sizes", "b", () => Ops.MatMul(V(2, 3), V(4, 2))),
        ("SoftmaxCrossEntropy logits of rank 1", "logits", () => Ops.SoftmaxCrossEntropy(V(3), [0])),
        ("SoftmaxCrossEntropy targets", "targets", () => Ops.SoftmaxCrossEntropy(V(2, 3), [0])),
        ("Transpose of rank 3", "x", () => Ops.Transpose(V(1, 2, 3))),
        ("ValidKeyContext weights of rank 2", "weights", () => Ops.ValidKeyContext(V(2, 3), V(2, 3, 4), [1, 1])),
        ("ValidKeyContext memory of another batch", "memory", () => Ops.ValidKeyContext(V(2, 1, 3), V(1, 3, 4), [1, 1])),
        ("ValidKeyContext lengths", "lengths", () => Ops.ValidKeyContext(V(2, 1, 3), V(2, 3, 4), [1])),
        ("ValidKeyScores queries of rank 2", "queries", () => Ops.ValidKeyScores(V(2, 3), V(2, 3, 3), [1, 1])),
        ("ValidKeyScores keys of another width", "keys", () => Ops.ValidKeyScores(V(2, 1, 3), V(2, 3, 4), [1, 1])),
        ("Add of unbroadcastable shapes", "b", () => Ops.Add(V(2, 3), V(2, 2))),
    ];

    [Fact]
    public void EveryRefusedArgument_IsNamed()
    {
        var failures = new List<string>();
        foreach (var (name, param, call) in Cases)
        {
            try { call(); failures.Add($"{name}: no exception"); }
            catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException))
            {
                if (e.ParamName != param) failures.Add($"{name}: ParamName {e.ParamName ?? "null"}, expected {param} ({e.Message})");
            }
            catch (Exception e) { failures.Add($"{name}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
