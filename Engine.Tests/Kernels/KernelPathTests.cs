using SeqLearn.Kernels;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// <see cref="KernelPath"/>: how <c>SEQLEARN_ISA</c> selects the default vector path. The variable is read once per process,
/// so the selection is tested through <see cref="KernelPath.Select"/>, the function the start-up reading calls.
/// </summary>
public class KernelPathTests
{
    private static readonly KernelPath Hardware = new(Gemm.BestIsa, GateWidth.Auto);

    [Theory]
    [InlineData("v128", "Vector128", "Vector128")]
    [InlineData(" NEON ", "Vector128", "Vector128")]
    [InlineData("Avx2", "Avx2", "Vector256")]
    [InlineData("avx512", "Avx512", "Auto")]
    public void Select_NamedPath_WhenTheCpuRunsIt(string name, string gemmName, string gatesName)
    {
        var (gemm, gates) = (Enum.Parse<GemmIsa>(gemmName), Enum.Parse<GateWidth>(gatesName));
        var (path, error) = KernelPath.Select(name, Hardware);
        if (!new KernelPath(gemm, gates).IsSupported)
        {
            Assert.Equal(Hardware, path);
            Assert.Contains("this CPU does not run that path", error);
            return;
        }
        Assert.Null(error);
        Assert.Equal(new KernelPath(gemm, gates), path);
    }

    [Fact]
    public void Select_Scalar_IsTheReferenceLoops()
    {
        var (path, error) = KernelPath.Select("scalar", Hardware);
        Assert.Null(error);
        Assert.Null(path.Gemm);
        Assert.Equal(GateWidth.Scalar, path.Gates);
        Assert.Null(path.GemmFor<float>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Select_Unset_IsTheHardwarePath(string? name) => Assert.Equal((Hardware, (string?)null), KernelPath.Select(name, Hardware));

    [Fact]
    public void Select_UnknownName_NamesTheVariableAndTheChoices()
    {
        var (_, error) = KernelPath.Select("sse9", Hardware);
        Assert.Equal("SEQLEARN_ISA=sse9: expected one of avx512, avx2, v128 (or neon), scalar.", error);
    }

    [Fact]
    public void GemmFor_OtherElementTypes_UseTheReference() => Assert.Null(KernelPath.Vector128.GemmFor<Half>());
}
