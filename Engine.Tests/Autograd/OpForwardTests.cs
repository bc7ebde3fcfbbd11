using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

/// <summary>Forward values on small hand-worked inputs, and the errors for bad shapes and indices.</summary>
public class OpForwardTests
{
    private static Var<double> V(double[] data, params int[] shape) => new(Tensor<double>.FromArray(data, shape));

    private static readonly double[] SixValues = [1, 2, 3, 4, 5, 6];

    [Fact]
    public void Sum_AlongEachAxis_RemovesIt()
    {
        var x = V(SixValues, 2, 3);
        TensorAssert.BitEqual<double>(new[] { 5.0, 7.0, 9.0 }, Ops.Sum(x, 0).Value.Span);
        Assert.Equal([3], Ops.Sum(x, 0).Value.ShapeArray());
        TensorAssert.BitEqual<double>(new[] { 6.0, 15.0 }, Ops.Sum(x, -1).Value.Span);
        Assert.Equal(21.0, Ops.Sum(x).Value.Span[0]);
        Assert.Equal(0, Ops.Sum(x).Value.Rank);
        Assert.Equal(3.5, Ops.Mean(x).Value.Span[0]);
        TensorAssert.BitEqual<double>(new[] { 2.0, 5.0 }, Ops.Mean(x, 1).Value.Span);
    }

    [Fact]
    public void ElementwiseActivations_OnAZeroSizeTensor_GiveAZeroSizeResultAndGradient()
    {
        // As PyTorch: σ, tanh, ReLU, exp of a (0, 3) tensor are (0, 3) tensors, and backward runs.
        foreach (var op in new Func<Var<float>, Var<float>>[] { Ops.Sigmoid, Ops.Tanh, Ops.Relu, Ops.Exp })
        {
            var x = new Var<float>(Tensor<float>.Zeros(0, 3), requiresGrad: true);
            var y = op(x);
            Assert.Equal([0, 3], y.Value.ShapeArray());
            Ops.Sum(y).Backward();
            Assert.Equal([0, 3], x.Grad!.ShapeArray());
        }
    }

    [Fact]
    public void BinaryOps_OnZeroSizeOperands_GiveEachInputAGradientOfItsShape()
    {
        // As PyTorch: (0, 3) ∘ (0, 3), (0, 3) ∘ row (3) and (2, 0) ∘ row (0) run backward, and each input gets a gradient
        // of its own shape (Grad == null would mean that no gradient reached it).
        var ops = new (string Name, Func<Var<double>, Var<double>, Var<double>> Op)[] { ("Add", Ops.Add), ("Sub", Ops.Sub), ("Mul", Ops.Mul), ("Div", Ops.Div) };
        var shapes = new (int[] A, int[] B)[] { ([0, 3], [0, 3]), ([0, 3], [3]), ([2, 0], [0]) };
        foreach (var (name, op) in ops)
            foreach (var (aShape, bShape) in shapes)
            {
                string what = $"{name} {CaseGen.Name(aShape)} ∘ {CaseGen.Name(bShape)}";
                var a = new Var<double>(Tensor<double>.Zeros(aShape), requiresGrad: true);
                var b = new Var<double>(Tensor<double>.Ones(bShape), requiresGrad: true);
                Ops.Sum(op(a, b)).Backward();
                Assert.True(a.Grad is not null, $"{what}: the first operand has no gradient");
                Assert.True(b.Grad is not null, $"{what}: the second operand has no gradient");
                Assert.Equal(aShape, a.Grad.ShapeArray());
                Assert.Equal(bShape, b.Grad.ShapeArray());
                Assert.All(b.Grad.ToArray(), g => Assert.Equal(0.0, g));
            }
    }

    [Fact]
    public void SliceSplitConcat_MiddleAxis()
    {
        var x = V([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2, 3, 2);   // x[i, j, k] = 6i + 2j + k
        var s = Ops.Slice(x, 1, 1, 2);
        Assert.Equal([2, 2, 2], s.Value.ShapeArray());
        TensorAssert.BitEqual<double>(new[] { 2.0, 3, 4, 5, 8, 9, 10, 11 }, s.Value.Span);
        var parts = Ops.Split(x, [1, 2], 1);
        TensorAssert.BitEqual<double>(new[] { 0.0, 1, 6, 7 }, parts[0].Value.Span);
        var back = Ops.Concat(parts, 1);
        TensorAssert.BitEqual<double>(x.Value.Span, back.Value.Span);
        var swapped = Ops.Concat([parts[1], parts[0]], -2);
        TensorAssert.BitEqual<double>(new[] { 2.0, 3, 4, 5, 0, 1, 8, 9, 10, 11, 6, 7 }, swapped.Value.Span);
    }

    [Fact]
    public void Transpose_SwapsAxes_BatchFirstToTimeMajor()
    {
        var x = V([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2, 3, 2);   // (B, T, E), x[b, t, e] = 6b + 2t + e
        var y = Ops.Transpose(x, 0, 1);                               // (T, B, E)
        Assert.Equal([3, 2, 2], y.Value.ShapeArray());
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                for (int e = 0; e < 2; e++)
                    Assert.Equal(6 * b + 2 * t + e, y.Value[t, b, e]);
        var z = Ops.Transpose(x, -1, 0);                              // (E, T, B)
        Assert.Equal([2, 3, 2], z.Value.ShapeArray());
        Assert.Equal(x.Value[1, 2, 0], z.Value[0, 2, 1]);
    }

    [Fact]
    public void TransposeAndGatherRows_Values()
    {
        var x = V(SixValues, 2, 3);
        var t = Ops.Transpose(x);
        Assert.Equal([3, 2], t.Value.ShapeArray());
        TensorAssert.BitEqual<double>(new[] { 1.0, 4, 2, 5, 3, 6 }, t.Value.Span);
        var g = Ops.GatherRows(V(SixValues, 3, 2), [2, 0, 2]);
        TensorAssert.BitEqual<double>(new[] { 5.0, 6, 1, 2, 5, 6 }, g.Value.Span);
    }

    [Fact]
    public void GatherRows_RepeatedIndices_GradientsAccumulate()
    {
        var table = new Var<double>(Tensor<double>.Zeros(3, 2), requiresGrad: true);
        var y = Ops.GatherRows(table, [2, 0, 2, 2]);
        y.Backward(Tensor<double>.FromArray([1, 10, 100, 1000, 2, 20, 3, 30], 4, 2));
        TensorAssert.BitEqual<double>(new[] { 100.0, 1000, 0, 0, 6, 60 }, table.Grad!.Span);
    }

    [Fact]
    public void MulDiv_RowBroadcast_Values()
    {
        var x = V(SixValues, 2, 3);
        TensorAssert.BitEqual<double>(new[] { 1.0, 4, 9, 4, 10, 18 }, (x * V([1, 2, 3], 1, 3)).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 1.0, 1, 1, 4, 2.5, 2 }, (x / V([1, 2, 3], 3)).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 0.0, 0, 0, 3, 3, 3 }, (x - V([1, 2, 3], 3)).Value.Span);
    }

    [Fact]
    public void ScalarOperators_Values()
    {
        var x = V([1.0, -2.0], 2);
        TensorAssert.BitEqual<double>(new[] { 2.0, -7.0 }, (3.0 * x - 1.0).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 0.0, 3.0 }, (1.0 - x).Value.Span);
        TensorAssert.BitEqual<double>(new[] { -1.0, 2.0 }, (-x).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 2.0, -1.0 }, (2.0 / x).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 0.5, -1.0 }, (x / 2.0).Value.Span);
        TensorAssert.BitEqual<double>(new[] { 1.0, 0.0 }, Ops.Relu(x).Value.Span);
    }

    [Fact]
    public void Softmax_RowsSumToOne()
    {
        var p = Ops.Softmax(new Var<double>(new CaseGen(5).Normal(4, 7)));
        for (int r = 0; r < 4; r++)
            Assert.Equal(1.0, p.Value.Span.Slice(r * 7, 7).ToArray().Sum(), 1e-14);
    }

    [Fact]
    public void Concat_NullInputInTheList_NamesItsPosition()
    {
        var a = V(SixValues, 2, 3);
        var e = Assert.Throws<ArgumentNullException>(() => Ops.Concat([a, null!, a], 0));
        Assert.Equal("xs", e.ParamName);
        Assert.Contains("Concat: input 1 of 3 is null", e.Message);
    }

    [Fact]
    public void ShapeErrors_NameTheOpAndBothShapes()
    {
        var a = V(SixValues, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => Ops.Mul(a, V([1, 2], 2)));
        Assert.Contains("Mul", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Div(a, V(SixValues, 3, 2)));
        Assert.Contains("Div: shapes (2, 3) and (3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Concat([a, V(SixValues, 3, 2)], 0));
        Assert.Contains("Concat: input 1 has shape (3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Split(a, [1, 1], 1));
        Assert.Contains("add up to 2", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(a, 1, 2, 2));
        Assert.Contains("[2, 4) is outside axis 1", r.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Transpose(V(SixValues, 6)));
        Assert.Contains("Transpose", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Reshape(a, 4, 2));
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void Slice_RangeEndingPastIntMaxValue_IsAnErrorNamingTheOp()
    {
        // start + length overflows int here; the range must still be rejected with Slice's message, not fail inside the copy.
        var a = V(SixValues, 2, 3);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(a, 1, int.MaxValue, 1));
        Assert.Contains("Slice: [2147483647, 2147483648) is outside axis 1 (length 3) of shape (2, 3)", r.Message);
        r = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(a, 1, 1, int.MaxValue));
        Assert.Contains("Slice: [1, 2147483648) is outside axis 1 (length 3) of shape (2, 3)", r.Message);
        // With no rows nothing is copied, so the check alone stands between this call and a (0, 2147483647) result.
        r = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(new Var<double>(Tensor<double>.Zeros(0, 3)), 1, 1, int.MaxValue));
        Assert.Contains("Slice: [1, 2147483648) is outside axis 1 (length 3) of shape (0, 3)", r.Message);
    }

    [Fact]
    public void GatherRows_BadIndex_NamesIndexAndPosition()
    {
        var table = V(SixValues, 3, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.GatherRows(table, [0, 2, 3]));
        Assert.Contains("index 3 at position 2", e.Message);
        Assert.Contains("(3, 2)", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.GatherRows(table, [-1]));
        Assert.Contains("index -1 at position 0", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.GatherRows(table, [0, 1], paddingIndex: 3));
        Assert.Contains("GatherRows: the padding index 3 is outside [0, 3) for table (3, 2)", e.Message);
    }

    [Fact]
    public void Concat_LengthsAddingUpPastIntMaxValue_IsAnErrorNamingTheOp()
    {
        // With no rows nothing is copied, so only the check keeps the sum of three int.MaxValue lengths from wrapping.
        var wide = new Var<double>(Tensor<double>.Zeros(0, int.MaxValue));
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat([wide, wide, wide], 1));
        Assert.Contains("Concat: the inputs' lengths along axis 1 add up to 6442450941, above the 2147483647 an axis holds (input 0 (0, 2147483647), 3 inputs)", e.Message);
        Assert.Equal([0, int.MaxValue], Ops.Concat([wide, new Var<double>(Tensor<double>.Zeros(0, 0))], 1).Value.ShapeArray());
    }

    [Fact]
    public void AdditiveScores_TooManySavedValues_FailsBeforeAllocating()
    {
        var keys = new Var<float>(Tensor<float>.Zeros(1, 30000, 4));
        var queries = new Var<float>(Tensor<float>.Zeros(1, 30000, 4));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => Ops.AdditiveScores(keys, queries, new Var<float>(Tensor<float>.Zeros(4))));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);   // not the (1, 30000, 30000) scores
        Assert.Contains("AdditiveScores: keys (1, 30000, 4) and queries (1, 30000, 4) make 3600000000 saved tanh values", e.Message);
    }
}
