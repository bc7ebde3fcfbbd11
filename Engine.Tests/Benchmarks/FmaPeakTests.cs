using SeqLearn.Benchmarks;
using SeqLearn.Kernels;

namespace SeqLearn.Tests.Benchmarks;

public class FmaPeakTests
{
    /// <summary>
    /// The peak loop runs on the vector of the GEMM path it is asked for, and its FLOP count has that vector's lanes:
    /// every lane of the 12 chains holds a ← 0.999999·a + 1e-7 from a = 0.999999, so the returned sum is 12 · lanes · a.
    /// </summary>
    [Fact]
    public void RunsOnTheVectorOfTheGemmPath()
    {
        float a = 0.999999f;
        for (int i = 0; i < 100; i++) a = MathF.FusedMultiplyAdd(a, 0.999999f, 1e-7f);
        foreach (var (isa, lanes) in new[] { (GemmIsa.Avx512, 16), (GemmIsa.Avx2, 8), (GemmIsa.Vector128, 4) })
        {
            if (!new KernelPath(isa, GateWidth.Auto).IsSupported) continue; // this CPU has no such path
            Assert.Equal(lanes, FmaPeak.ShapeOf(isa).Lanes);
            Assert.Equal(12 * lanes * a, FmaPeak.Run(isa, 100), 12 * lanes * a * 1e-6f);
        }
        Assert.Equal(100.0 * 12 * FmaPeak.Shape.Lanes * 2, FmaPeak.Flops(100));
    }

    [Fact]
    public void FollowsTheDefaultKernelPath() =>
        Assert.Equal(FmaPeak.ShapeOf(KernelPath.Default.Gemm), FmaPeak.Shape);

    [Fact]
    public void APathWithoutFmaHasNoPeakLoop()
    {
        Assert.Null(FmaPeak.ShapeOf(GemmIsa.Portable).Width);
        Assert.Null(FmaPeak.ShapeOf(null).Width);
        Assert.Throws<InvalidOperationException>(() => FmaPeak.Run(null, 1));
    }
}
