using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// An op written the way a user outside the library writes one, from public members only (a <see cref="Node{T}"/>
/// subclass, <see cref="Node{T}.Tracks(Var{T}, Var{T})"/>, <see cref="Var{T}.FromOp"/>): y = √(a² + b²) elementwise,
/// ∂L/∂a = ∂L/∂y ⊙ a / y, ∂L/∂b = ∂L/∂y ⊙ b / y. consumer/CustomCellProgram.cs does the same against the package.
/// </summary>
public static class Hypot
{
    public static Var<T> Apply<T>(Var<T> a, Var<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!a.Value.SameShape(b.Value)) throw new ArgumentException($"Hypot: shapes differ, {a.Value.ShapeString} and {b.Value.ShapeString}.");
        var y = Tensor<T>.ZerosLike(a.Value);
        Span<T> xa = a.Value.Span, xb = b.Value.Span, ys = y.Span;
        for (int i = 0; i < ys.Length; i++) ys[i] = T.Sqrt(xa[i] * xa[i] + xb[i] * xb[i]);
        return Var<T>.FromOp(y, Node<T>.Tracks(a, b) ? new HypotNode<T>(a, b, y) : null);
    }

    private sealed class HypotNode<T>(Var<T> a, Var<T> b, Tensor<T> y) : Node<T>(a, b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        protected override void Backward(Tensor<T> gradOutput)
        {
            if (a.RequiresGrad) Accumulate(GradOf(a).Span, a.Value.Span, gradOutput.Span);
            if (b.RequiresGrad) Accumulate(GradOf(b).Span, b.Value.Span, gradOutput.Span);
        }

        private void Accumulate(Span<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> gy)
        {
            var ys = y.Span;
            for (int i = 0; i < g.Length; i++) g[i] += gy[i] * x[i] / ys[i];
        }
    }
}

/// <summary>The custom op in a graph with built-in ops, over random shapes (float64 central differences, default tolerances).</summary>
public sealed class CustomOpCases : IGradCheckCaseSource
{
    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(2101);
        for (int c = 0; c < 6; c++)
        {
            var shape = gen.Shape(1, 3);
            yield return new($"CustomHypot[{c}] {CaseGen.Name(shape)}", v => Hypot.Apply(v[0], Ops.Tanh(v[1])) * v[1],
                [gen.AwayFromZero(shape), gen.AwayFromZero(shape)]);
        }
        var x = gen.AwayFromZero(2, 3);
        yield return new("CustomHypot same input twice 2x3", v => Hypot.Apply(v[0], v[0]), [x]);
    }
}

public class CustomOpTests
{
    [Fact]
    public void CustomOp_TracksOnlyWhenAnInputRequiresGradAndGradModeIsOn()
    {
        var a = new Var<double>(Tensor<double>.FromArray([3.0, -5.0], 2), requiresGrad: true);
        var b = new Var<double>(Tensor<double>.FromArray([4.0, 12.0], 2));
        var y = Hypot.Apply(a, b);
        Assert.Equal("Hypot", y.Creator!.OpName);
        Assert.Equal([5.0, 13.0], y.Value.ToArray());
        Assert.Null(Hypot.Apply(a.Detach(), b).Creator);
        using (new NoGradScope()) Assert.Null(Hypot.Apply(a, b).Creator);

        Ops.Sum(y).Backward();
        Assert.Equal([3.0 / 5.0, -5.0 / 13.0], a.Grad!.ToArray());
        Assert.Null(b.Grad); // a constant gets no gradient
    }

    [Fact]
    public void FromOp_NullValue_Throws() =>
        Assert.Throws<ArgumentNullException>(() => Var<double>.FromOp(null!, null));

    private sealed class TwoInputNode(Var<double> a, Var<double> b) : Node<double>(a, b)
    {
        protected override void Backward(Tensor<double> gradOutput) { }
    }

    [Fact]
    public void Node_NullInput_IsRejectedWhenTheNodeIsBuilt()
    {
        var a = new Var<double>(Tensor<double>.Ones(2), requiresGrad: true);
        var e = Assert.Throws<ArgumentException>(() => new TwoInputNode(a, null!));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("TwoInputNode: input 1 is null", e.Message);
    }

    [Fact]
    public void Tracks_NullInput_NamesIt()
    {
        var a = new Var<double>(Tensor<double>.Ones(2));
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => Node<double>.Tracks((Var<double>)null!)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => Node<double>.Tracks(null!, a)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => Node<double>.Tracks(a, null!)).ParamName);
    }
}
