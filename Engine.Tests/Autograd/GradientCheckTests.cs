using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Autograd;

public class GradientCheckTests
{
    /// <summary>y = x² with a deliberately wrong backward (3x instead of 2x), to prove the checker catches it.</summary>
    private sealed class BrokenSquareNode(Var<double> x) : Node<double>(x)
    {
        protected override void Backward(Tensor<double> gradOutput)
        {
            var gx = GradOf(x).Span;
            for (int i = 0; i < gx.Length; i++) gx[i] += gradOutput.Span[i] * 3 * x.Value.Span[i];
        }
    }

    private static Var<double> BrokenSquare(Var<double> x)
    {
        var y = Tensor<double>.ZerosLike(x.Value);
        var xs = x.Value.Span;
        for (int i = 0; i < xs.Length; i++) y.Span[i] = xs[i] * xs[i];
        return Var<double>.FromOp(y, Node<double>.Tracks(x) ? new BrokenSquareNode(x) : null);
    }

    [Fact]
    public void CheckParameters_WrongBackward_ThrowsAndRestoresTheParameters()
    {
        var w = new Var<double>(Tensor<double>.FromArray([0.5, -1.0, 2.0], 3), requiresGrad: true);
        var before = w.Value.ToArray();
        var e = Assert.Throws<GradientCheckException>(() => GradientCheck.CheckParameters(() => Ops.Sum(BrokenSquare(w)), [w]));
        Assert.Contains("input 0 (3), element (0)", e.Message);
        Assert.Equal(before, w.Value.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CheckParameters_CorrectGraph_Passes(bool fast)
    {
        var rng = new SeededRng(11);
        var w = new Var<double>(Tensor<double>.Normal([3, 4], 0, 1, rng), requiresGrad: true);
        var x = new Var<double>(Tensor<double>.Normal([2, 4], 0, 1, rng));
        var result = GradientCheck.CheckParameters(() => Ops.Sum(Ops.Tanh(Ops.MatMul(x, w, transposeB: true))), [w],
            new GradientCheckOptions { FastMode = fast });
        Assert.True(result.Passed);
        Assert.Equal(fast ? 1 : 12, result.Comparisons);
    }

    [Fact]
    public void Check_WrongBackward_ThrowsNamingOpInputElementAndValues()
    {
        var x = Tensor<double>.FromArray([0.0, 0.5, -1.0, 2.0], 2, 2);
        var e = Assert.Throws<GradientCheckException>(() => GradientCheck.Check(v => Ops.Sum(Ops.Tanh(BrokenSquare(v[0]))), x));
        Assert.False(e.Result.Passed);
        Assert.Contains("BrokenSquare", e.Message);
        Assert.Contains("Tanh", e.Message);
        Assert.Contains("input 0 (2, 2)", e.Message);
        // Element (0, 0) has x = 0, where 3x and 2x agree; the first mismatch is (0, 1): analytical 3·0.5·tanh'(0.25).
        Assert.Contains("element (0, 1)", e.Message);
        double t = Math.Tanh(0.25), d = 1 - t * t;
        Assert.Contains($"analytical {(1.5 * d).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", e.Message);
        Assert.Contains("numerical 0.9", e.Message);   // 2·0.5·tanh'(0.25) = 0.9398…
        Assert.Contains("Max error", e.Message);
        Assert.Contains(typeof(BrokenSquareNode), e.Result.NodeTypes);
    }

    [Fact]
    public void Check_WrongBackward_FastModeAlsoFails()
    {
        var x = new CaseGen(7).Uniform(0.5, 1.5, 20, 30);
        var options = GradientCheckOptions.Default with { FastMode = true, ThrowOnFailure = false };
        var result = GradientCheck.Check(v => BrokenSquare(v[0]), options, x);
        Assert.False(result.Passed);
        Assert.Contains("fast mode", result.Failure);
        Assert.Equal(1, result.Comparisons);
        Assert.Equal($"failed: {result.Failure}", result.ToString());
    }

    [Fact]
    public void Result_ToString_SaysWhatWasCompared()
    {
        var result = GradientCheck.Check(v => Ops.Sum(Ops.Tanh(v[0] * v[0])), new CaseGen(9).Normal(3, 4));
        Assert.StartsWith("passed: 12 comparisons, max |error| ", result.ToString());
        Assert.EndsWith($", ops {string.Join(", ", result.OpNames)}", result.ToString());
    }

    [Fact]
    public void Check_FastMode_CorrectGraphOnLargeInputs_Passes()
    {
        var gen = new CaseGen(8);
        var options = GradientCheckOptions.Default with { FastMode = true };
        var result = GradientCheck.Check(v => Ops.Tanh(Ops.MatMul(v[0], v[1])), options, gen.Normal(40, 50), gen.Normal(50, 30));
        Assert.True(result.Passed);
        Assert.Equal(2, result.Comparisons);
    }

    [Fact]
    public void Check_ReportsTheNodeTypesOfTheGraph()
    {
        var x = new CaseGen(9).Normal(3, 4);
        var result = GradientCheck.Check(v => Ops.Sum(Ops.Tanh(v[0] * v[0])), x);
        Assert.Equal(new[] { typeof(SumNode<>), typeof(TanhNode<>), typeof(MulNode<>) }, result.NodeTypes);
        Assert.Equal(new[] { "Sum", "Tanh", "Mul" }, result.OpNames);
        Assert.Equal(12, result.Comparisons);
    }

    [Fact]
    public void Check_DoesNotModifyTheCallersInputs()
    {
        var x = new CaseGen(10).Normal(2, 3);
        var before = x.ToArray();
        GradientCheck.Check(v => Ops.Exp(v[0]), x);
        TensorAssert.BitEqual<double>(before, x.Span);
    }

    [Fact]
    public void Check_OutputWithoutGraph_ClearError()
    {
        var x = new CaseGen(11).Normal(2, 3);
        var e = Assert.Throws<ArgumentException>(() => GradientCheck.Check(v => Ops.Exp(v[0].Detach()), x));
        Assert.Contains("does not depend on any input", e.Message);
    }

    [Fact]
    public void Check_FunctionReturningNull_IsAnArgumentExceptionNamingF()
    {
        var e = Assert.Throws<ArgumentException>(() => GradientCheck.Check(_ => null!, Tensor<double>.Ones(2)));
        Assert.Equal("f", e.ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentException>(() => GradientCheck.CheckParameters(() => null!, [])).ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-6)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Check_StepNotPositiveAndFinite_IsRefusedNamingEps(double eps)
    {
        var options = GradientCheckOptions.Default with { Eps = eps };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(v => Ops.Exp(v[0]), options, Tensor<double>.Ones(2)));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("Eps must be positive and finite", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.CheckParameters(() => Ops.Sum(new Var<double>(Tensor<double>.Ones(1), requiresGrad: true)), [], options));
    }

    [Fact]
    public void CheckParameters_NullParameter_IsNamed()
    {
        var w = new Var<double>(Tensor<double>.Ones(2), requiresGrad: true);
        var e = Assert.Throws<ArgumentException>(() => GradientCheck.CheckParameters(() => Ops.Sum(w), [w, null!]));
        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("parameter 1 is null", e.Message);
    }

    [Fact]
    public void DivideByScalar_Divides_FiniteForSubnormalDivisorAndExactForItself()
    {
        var x = new Var<float>(Tensor<float>.FromArray([1e-30f, 6f, 3e38f], 3), requiresGrad: true);
        var y = x / 1e-39f;
        Assert.Equal(1e-30f / 1e-39f, y.Value.Span[0]);                 // finite: x · (1/s) would be ∞
        Assert.Equal(6f / 1e-39f, y.Value.Span[1]);
        Assert.Equal(1f, (x / 3e38f).Value.Span[2]);                     // 3e38 / 3e38 = 1 exactly
        Ops.Sum(x / 4f).Backward();
        Assert.Equal([0.25f, 0.25f, 0.25f], x.Grad!.ToArray());
    }
}
