using SeqLearn.Kernels;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// The decisions that keep ragged and LSTM-shaped products fast (docs/kernels.md §5.5): each was measured;
/// these tests keep a change to the cost model from silently undoing them.
/// </summary>
public sealed class GemmPlanTests
{
    private static readonly GemmBlocking Float = GemmBlocking.For<float>();
    private const int Nr = 32; // AVX-512 float tile width

    [Fact]
    public void Create_NarrowRaggedColumnsWithRowMajorA_UsesTilesThenDotProducts()
    {
        var plan = GemmPlan.Create(2048, 65, 256, aRowMajor: true, bRowMajor: true, vectorTransposePack: true, Nr, Float, threads: 1);
        Assert.Equal(2, plan.Parts);
        Assert.Equal(new GemmPlan.Part(0, 64, GemmPlan.Kind.Tiles, 1, true, 2048), plan.First);
        Assert.Equal(GemmPlan.Kind.Dots, plan.Second.Kind);
        Assert.Equal((64, 65), (plan.Second.ColumnStart, plan.Second.ColumnEnd));
    }

    [Fact]
    public void Create_RaggedColumnsWithTransposedA_AvoidsPaddingAWholeTile()
    {
        // No dot-product path without a row-major A: the cheaper of a transposed strip or Cᵀ is chosen.
        var plan = GemmPlan.Create(2048, 65, 256, aRowMajor: false, bRowMajor: true, vectorTransposePack: true, Nr, Float, threads: 1);
        Assert.True(plan.Parts == 2 ? plan.Second.Kind == GemmPlan.Kind.TransposedTiles : plan.First.Kind == GemmPlan.Kind.TransposedTiles);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Create_ShortCTimesTransposedWeights_OrientationFollowsPackingCost(bool vectorTransposePack, bool expectTransposed)
    {
        // x·Wᵀ with x (32, 320), W (1024, 320): with 8×8 register transposes packing Wᵀ is as cheap as a copy.
        var plan = GemmPlan.Create(32, 1024, 320, aRowMajor: true, bRowMajor: false, vectorTransposePack, Nr, Float, threads: 1);
        Assert.Equal(1, plan.Parts);
        Assert.Equal(expectTransposed ? GemmPlan.Kind.TransposedTiles : GemmPlan.Kind.Tiles, plan.First.Kind);
    }

    [Fact]
    public void Create_TwoThreads_SplitsTheLongerSide()
    {
        var tall = GemmPlan.Create(1024, 1024, 1024, true, true, true, Nr, Float, threads: 2);
        Assert.Equal((2, true, 86 * Gemm.MR), (tall.First.Groups, tall.First.SplitRows, tall.First.GroupSize)); // 171 slivers of 6 rows
        var wide = GemmPlan.Create(32, 1024, 320, true, true, true, Nr, Float, threads: 2);
        Assert.Equal((2, false, 512), (wide.First.Groups, wide.First.SplitRows, wide.First.GroupSize));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Create_AnyThreadCount_SameOrientationAndColumnCut(int threads)
    {
        foreach (var (m, n, k) in new[] { (2048, 65, 256), (32, 1024, 320), (65, 300, 600), (1, 257, 17) })
        {
            var one = GemmPlan.Create(m, n, k, false, true, true, Nr, Float, threads: 1);
            var many = GemmPlan.Create(m, n, k, false, true, true, Nr, Float, threads);
            Assert.Equal(one.Parts, many.Parts);
            Assert.Equal((one.First.Kind, one.First.ColumnStart, one.First.ColumnEnd), (many.First.Kind, many.First.ColumnStart, many.First.ColumnEnd));
            Assert.Equal((one.Second.Kind, one.Second.ColumnStart, one.Second.ColumnEnd), (many.Second.Kind, many.Second.ColumnStart, many.Second.ColumnEnd));
        }
    }
}
