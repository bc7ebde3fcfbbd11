using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// Every op runs in float as well as double: the same expression in both precisions agrees, value and gradients,
/// within the float tolerance of docs/testing.md (rtol 1e-4, atol 1e-5 for O(1) values).
/// </summary>
public class FloatPrecisionTests
{
    private const double Rtol = 1e-4, Atol = 1e-5;

    /// <summary>Elementwise and scalar ops. a, b (3, 5).</summary>
    private static Var<T> Elementwise<T>(Var<T>[] v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2), half = T.CreateTruncating(0.5);
        var a = v[0];
        var b = v[1];
        var e = Ops.Sigmoid(a) * Ops.Exp(b * half) - Ops.Relu(a) / (Ops.Log(Ops.Exp(b) + two) + two);
        return Ops.Sum(e + Ops.Neg(a) * two - (T.One - Ops.Tanh(b)) + Ops.AddScalar(a, half) - a);
    }

    /// <summary>Shape ops and reductions. a (3, 5), b (3, 5).</summary>
    private static Var<T> Shapes<T>(Var<T>[] v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var parts = Ops.Split(Ops.Transpose(v[0]), [2, 3], 0);                    // (2, 3), (3, 3)
        var joined = Ops.Concat([parts[1], parts[0], Ops.Slice(Ops.Transpose(v[1]), 0, 1, 2)], 0);   // (7, 3)
        var flat = Ops.Reshape(Ops.Tanh(joined), 3, 7);
        return Ops.Sum(Ops.Mean(flat, 1) * Ops.Sum(flat, -1)) + Ops.Mean(flat);
    }

    /// <summary>Embedding, projection and the losses. table (6, 5), w (4, 5), bias (4), target (3, 4).</summary>
    private static Var<T> Losses<T>(Var<T>[] v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var e = Ops.GatherRows(v[0], [1, 4, 1]);                                   // (3, 5)
        var logits = Ops.MatMul(e, v[1], transposeB: true) + v[2];                 // (3, 4)
        var ce = Ops.SoftmaxCrossEntropy(logits, [3, 0, -100]);
        var mse = Ops.MseLoss(Ops.Softmax(logits), v[3], Reduction.Sum);
        var dropped = Ops.Dropout(Ops.LogSoftmax(logits), 0.3, training: true, new SeededRng(5));
        return ce + mse + Ops.Mean(dropped);
    }

    private static void Compare(string name, Func<Var<float>[], Var<float>> f32, Func<Var<double>[], Var<double>> f64, Tensor<double>[] inputs)
    {
        var x64 = inputs.Select(t => new Var<double>(t.Clone(), requiresGrad: true)).ToArray();
        var x32 = inputs.Select(t => new Var<float>(t.Cast<float>(), requiresGrad: true)).ToArray();
        var y64 = f64(x64);
        var y32 = f32(x32);
        TensorAssert.AllClose(y64.Value, y32.Value.Cast<double>(), Rtol, Atol, $"{name} value");
        y64.Backward();
        y32.Backward();
        for (int j = 0; j < inputs.Length; j++)
            TensorAssert.AllClose(x64[j].Grad!, x32[j].Grad!.Cast<double>(), Rtol, Atol, $"{name} gradient of input {j}");
    }

    [Fact]
    public void ElementwiseOps_FloatMatchesDouble()
    {
        var gen = new CaseGen(41);
        Compare("Elementwise", Elementwise, Elementwise, [gen.Normal(3, 5), gen.Normal(3, 5)]);
    }

    [Fact]
    public void ShapeOpsAndReductions_FloatMatchesDouble()
    {
        var gen = new CaseGen(42);
        Compare("Shapes", Shapes, Shapes, [gen.Normal(3, 5), gen.Normal(3, 5)]);
    }

    [Fact]
    public void EmbeddingProjectionAndLosses_FloatMatchesDouble()
    {
        var gen = new CaseGen(43);
        Compare("Losses", Losses, Losses, [gen.Normal(6, 5), gen.Normal(4, 5), gen.Normal(4), gen.Uniform(0, 1, 3, 4)]);
    }
}
