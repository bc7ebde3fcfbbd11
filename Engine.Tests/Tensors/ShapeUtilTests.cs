using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Tensors;

public class ShapeUtilTests
{
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
