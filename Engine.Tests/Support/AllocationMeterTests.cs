namespace SeqLearn.Tests.Support;

/// <summary>The allocation meter still sees a real allocation (its retry rule must not hide one) and reads zero for none.</summary>
public class AllocationMeterTests
{
    private static object? s_sink;

    [Fact]
    public void AllocatedBy_RealAllocationEveryCall_CountsAtLeastItsBytes()
    {
        long bytes = AllocationMeter.AllocatedBy(() => s_sink = new byte[100], repeats: 20);
        Assert.True(bytes >= 20 * 100, $"measured {bytes} bytes for 20 arrays of 100 bytes");
    }

    [Fact]
    public void AllocatedBy_NoAllocation_IsZero()
    {
        var values = new double[64];
        Assert.Equal(0, AllocationMeter.AllocatedBy(() => values.AsSpan().Fill(1.5), repeats: 100));
    }

    [Fact]
    public void SmallestOf_RealAllocationEveryCall_StillCountsItsBytes()
    {
        long bytes = AllocationMeter.SmallestOf(3, () => s_sink = new byte[100], repeats: 20);
        Assert.True(bytes >= 20 * 100, $"measured {bytes} bytes for 20 arrays of 100 bytes");
    }
}
