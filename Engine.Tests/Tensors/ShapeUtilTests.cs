using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Tensors;

public class ShapeUtilTests
{
    [Theory]
    [InlineData(0, 4096, 0)]
    [InlineData(1, 4096, 1)]
    [InlineData(4096, 4096, 1)]
    [InlineData(4097, 4096, 2)]
    [InlineData(int.MaxValue, 4096, 524_288)]           // GradientSweep's parts of the largest tensor
    [InlineData(int.MaxValue, 1 << 15, 65_536)]         // Adam's chunks: length + size − 1 is past int.MaxValue
    [InlineData(int.MaxValue - 100, 1 << 15, 65_536)]
    [InlineData(5, int.MaxValue, 1)]                    // one batch of every example
    [InlineData(int.MaxValue, int.MaxValue, 1)]
    [InlineData(int.MaxValue, int.MaxValue - 1, 2)]
    [InlineData(int.MaxValue, 2, 1_073_741_824)]
    public void CeilDiv_IsTheCeilingForEveryIntPair(int count, int size, int expected) =>
        Assert.Equal(expected, ShapeUtil.CeilDiv(count, size));

    [Fact]
    public void RequireSame_DifferentShapes_NamesTheOpBothShapesAndTheParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => ShapeUtil.RequireSame([2, 3], [3, 2], "Op (a vs. b)", "b"));
        Assert.Equal("b", e.ParamName);
        Assert.StartsWith("Op (a vs. b): shapes (2, 3) and (3, 2) must be equal.", e.Message);
    }

    // The callers name their argument of the second shape: here Backward's gradient and MseLoss's target.
    [Fact]
    public void RequireSame_Callers_NameTheirArgument()
    {
        var x = new Var<double>(Tensor<double>.Zeros(2, 3), requiresGrad: true);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => x.Backward(Tensor<double>.Zeros(3, 2))).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => Ops.MseLoss(x, new Var<double>(Tensor<double>.Zeros(3, 2)))).ParamName);
    }

    [Fact]
    public void ArrayLength_UpToOneArray_IsTheLengthAndFormatsNoMessage()
    {
        int rows = 3, cols = 5;
        Assert.Equal(Array.MaxLength, ShapeUtil.ArrayLength(Array.MaxLength, "Op", $"the rows {rows}·{cols}", "advice."));
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => ShapeUtil.ArrayLength((long)rows * cols, "Op", $"the rows {rows}·{cols}", "advice.")));
    }

    [Fact]
    public void ArrayLength_PastOneArray_NamesOwnerSizeAndAdvice()
    {
        int rows = 65536, cols = 32768;
        var e = Assert.Throws<ArgumentException>(() => ShapeUtil.ArrayLength((long)rows * cols, "Op", $"the rows {rows}·{cols}", "use fewer rows."));
        Assert.Equal($"Op: the rows 65536·32768 = 2147483648 values exceed one array ({Array.MaxLength}); use fewer rows.", e.Message);
        e = Assert.Throws<ArgumentException>(() => ShapeUtil.ArrayLength(Array.MaxLength + 1L, "Op", "the rows", "use fewer rows."));
        Assert.Equal($"Op: the rows = {Array.MaxLength + 1L} values exceed one array ({Array.MaxLength}); use fewer rows.", e.Message);
    }
}
