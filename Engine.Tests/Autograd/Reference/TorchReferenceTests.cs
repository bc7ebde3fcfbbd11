using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd.Reference;

/// <summary>One input of a PyTorch reference case: name, shape, value and PyTorch's gradient.</summary>
internal sealed record TorchInput(string Name, int[] Shape, double[] Value, double[] Grad);

/// <summary>A PyTorch reference case: the loss PyTorch computed and the inputs with their gradients.</summary>
internal sealed record TorchCase(double Loss, TorchInput[] Inputs);

/// <summary>
/// The same expressions as make_torch_reference.py, built from SeqLearn ops: loss and every input gradient must
/// match PyTorch's (float64) to rounding. This pins the forward semantics (softmax axis, cross-entropy mean over
/// non-ignored rows, MSE mean) that a gradient check alone cannot.
/// </summary>
public class TorchReferenceTests
{
    private const double Rtol = 1e-10, Atol = 1e-12;

    private static void Compare(TorchCase reference, Func<Var<double>[], Var<double>> f)
    {
        var inputs = reference.Inputs.Select(i => new Var<double>(Tensor<double>.FromArray((double[])i.Value.Clone(), i.Shape), requiresGrad: true, i.Name)).ToArray();
        var loss = f(inputs);
        Assert.Equal(reference.Loss, loss.Value.Span[0], 1e-10);
        loss.Backward();
        for (int j = 0; j < inputs.Length; j++)
            TensorAssert.AllClose<double>(reference.Inputs[j].Grad, inputs[j].Grad!.Span, Rtol, Atol, $"gradient of {reference.Inputs[j].Name}");
    }

    [Fact]
    public void MlpCrossEntropy_MatchesPyTorch() => Compare(TorchReference.MlpCrossEntropy, v =>
    {
        var (x, w1, b1, w2, b2) = (v[0], v[1], v[2], v[3], v[4]);
        var h = Ops.Tanh(Ops.MatMul(x, w1, transposeB: true) + b1);          // (B, H)
        var logits = Ops.MatMul(h, w2, transposeB: true) + b2;              // (B, V)
        return Ops.SoftmaxCrossEntropy(logits, [2, -100, 5, 0]);
    });

    [Fact]
    public void SoftmaxMix_MatchesPyTorch() => Compare(TorchReference.SoftmaxMix, v =>
    {
        var (a, b) = (v[0], v[1]);
        var y = Ops.Softmax(a * b);                                          // (2, 3, 4)
        var z = Ops.LogSoftmax(a - b);
        var s = Ops.Sigmoid(a);
        var target = 0.5 - Ops.Tanh(a) * 0.1;
        return Ops.Mean(Ops.Sum(y * z, 1)) + Ops.MseLoss(s, target) + Ops.Mean(Ops.Sum(1.0 - s, 0)) / 3.0;
    });

    [Fact]
    public void EmbeddingShapes_MatchesPyTorch() => Compare(TorchReference.EmbeddingShapes, v =>
    {
        var (table, w) = (v[0], v[1]);
        var e = Ops.GatherRows(table, [1, 1, 4, 6, 0]);                      // (5, 3)
        var p = Ops.Split(e, [1, 2], 1);
        var c = Ops.Concat([p[1], p[0] * 2.0], 1);                           // (5, 3)
        var m = Ops.MatMul(Ops.Transpose(c), c / (1.0 + Ops.Exp(w)));        // (3, 3)
        return Ops.Sum(Ops.Log(1.0 + Ops.Sum(m * m, -1))) + Ops.Mean(Ops.Relu(c - 0.1))
               + Ops.Sum(Ops.Slice(Ops.Reshape(c, 15), 0, 3, 6)) * 0.5;
    });
}
