using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Reshape_IsAViewThatWritesThrough()
    {
        var t = Tensor<float>.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var v = t.Reshape(3, -1);
        Assert.Equal([3, 2], v.ShapeArray());
        v[2, 1] = 60;
        Assert.Equal(60f, t[1, 2]);
    }

    [Fact]
    public void Reshape_WrongSize_NamesBothShapes()
    {
        var t = Tensor<double>.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 2)", e.Message);
    }

    [Fact]
    public void Uniform_SameSeed_SameValues_DifferentSeed_DifferentValues()
    {
        var a = Tensor<float>.Uniform([5, 7], -1f, 1f, new SeededRng(42));
        var b = Tensor<float>.Uniform([5, 7], -1f, 1f, new SeededRng(42));
        var c = Tensor<float>.Uniform([5, 7], -1f, 1f, new SeededRng(43));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        Assert.All(a.ToArray(), x => Assert.InRange(x, -1f, 1f));
    }

    [Fact]
    public void Normal_LargeSample_HasRequestedMoments()
    {
        var t = Tensor<double>.Normal([100_000], 2.0, 3.0, new SeededRng(7));
        double mean = t.ToArray().Average();
        double var = t.ToArray().Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, 1.95, 2.05);
        Assert.InRange(Math.Sqrt(var), 2.95, 3.05);
    }

    [Fact]
    public void SeededRng_StateRoundTrip_ContinuesTheSameStream()
    {
        var rng = new SeededRng(3);
        rng.NextNormal();
        var state = rng.GetState();
        var expected = Enumerable.Range(0, 10).Select(_ => rng.NextNormal()).ToArray();
        var other = new SeededRng(999);
        other.SetState(state);
        Assert.Equal(expected, Enumerable.Range(0, 10).Select(_ => other.NextNormal()).ToArray());
    }

    [Fact]
    public void SeededRng_SetStateAllZero_ThrowsAndLeavesTheGeneratorAsItWas()
    {
        var rng = new SeededRng(3);
        var twin = new SeededRng(3);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => rng.SetState(new RngState(0, 0, 0, 0, null))).ParamName);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => twin.NextUInt64()), Enumerable.Range(0, 5).Select(_ => rng.NextUInt64()));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void SeededRng_SetStateWithANonFiniteCachedNormal_ThrowsAndLeavesTheGeneratorAsItWas(double spare)
    {
        var rng = new SeededRng(3);
        var twin = new SeededRng(3);
        var e = Assert.Throws<ArgumentException>(() => rng.SetState(new RngState(1, 2, 3, 4, spare)));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("SetState", e.Message);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => twin.NextUInt64()), Enumerable.Range(0, 5).Select(_ => rng.NextUInt64()));
    }

    [Fact]
    public void ToString_ShowsTypeShapeAndElidedValues()
    {
        var t = Tensor<float>.FromArray(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 2, 10);
        string s = t.ToString();
        Assert.StartsWith("Tensor<Single>(2, 10) [[0, 1, 2, ..., 7, 8, 9]", s);
    }

    [Fact]
    public void ToString_RowsAfterTheFirst_LineUpUnderTheFirstRowsBracket()
    {
        var t = Tensor<double>.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2);
        string[] lines = t.ToString().Split('\n');
        Assert.Equal("Tensor<Double>(2, 2, 2) [[[1, 2],", lines[0]);
        int outer = lines[0].IndexOf('[');
        Assert.Equal(new string(' ', outer + 2) + "[3, 4]],", lines[1]);
        Assert.Equal(new string(' ', outer + 1) + "[[5, 6],", lines[2]);
        Assert.Equal(new string(' ', outer + 2) + "[7, 8]]]", lines[3]);
    }

    [Fact]
    public void Rows_IsAViewOfContiguousRows()
    {
        var t = Tensor<float>.FromArray([1, 2, 3, 4, 5, 6], 3, 2);
        var r = t.Rows(1, 2);
        Assert.Equal([3f, 4, 5, 6], r.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(2, 2));
    }
}
