using SeqLearn.Checkpoints;

namespace SeqLearn.Tests.Checkpoints;

public class BoundedFileTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4097)]
    public void ReadAll_FileAtTheLimit_IsReadWhole_OneByteMoreFails(int length)
    {
        using var tmp = new TempDir("bounded");
        string path = tmp.Combine("f.bin");
        byte[] bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, BoundedFile.ReadAll(path, length, n => new InvalidDataException($"{n}")));
        if (length == 0) return;
        var e = Assert.Throws<InvalidDataException>(() => BoundedFile.ReadAll(path, length - 1, n => new InvalidDataException($"{n}")));
        Assert.Equal($"{length}", e.Message);
    }
}
