using SeqLearn.Checkpoints;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>Weights too large for one safetensors file image are refused by size, before any tensor is copied.</summary>
public class ModuleWeightsSizeTests
{
    [Fact]
    public void SaveWeights_BeyondTheFileLimit_IsRefusedNamingThePathBeforeAnyTensorIsCopied()
    {
        using var tmp = new TempDir("weights-too-large");
        var model = new Sequential<float>(new Linear<float>(256, 256, new SeededRng(1)), new Linear<float>(256, 64, new SeededRng(2)));
        string path = tmp.Combine("w.safetensors");
        IOException? e = null;
        long allocated = AllocationMeter.AllocatedBy(() => e = Assert.Throws<IOException>(() => ModuleWeights.SaveWeightsBounded(model, path, 100_000)), repeats: 1);
        Assert.StartsWith($"{path}: the weights cannot be written: the 4 tensors hold 328,960 bytes (the largest: '0.weight' 262,144, '1.weight' 65,536, '0.bias' 1,024); with the ", e!.Message);
        Assert.EndsWith("-byte header the file would exceed 100,000 bytes, the most one file image can hold: save the tensors in several files.", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
        Assert.True(allocated < 150_000, $"SaveWeights allocated {allocated:N0} bytes before refusing");
        Assert.False(File.Exists(path));
        ModuleWeights.SaveWeightsBounded(model, path, Array.MaxLength);   // within the limit it writes the file
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void FromTensor_ByteCountBeyondOneArray_IsAnArgumentErrorNamingTheTensor()
    {
        Assert.Equal(4 * 1000, SafeTensor.ByteCount("w", "(10, 100)", 1000, SafeTensorDType.F32));
        var e = Assert.Throws<ArgumentException>(() => SafeTensor.ByteCount("w", "(32768, 32768)", 1L << 30, SafeTensorDType.F32));
        Assert.Equal("tensor", e.ParamName);
        Assert.StartsWith("SafeTensor.FromTensor: 'w' (32768, 32768) is 4,294,967,296 bytes in F32, more than one array holds (", e.Message);
    }
}
