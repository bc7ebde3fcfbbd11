using SeqLearn.Text;

namespace SeqLearn.Tests.Text;

public class TextFileTests
{
    private static string TempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"seqlearn-text-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadAllText_InvalidUtf8_NamesFileAndByteOffset()
    {
        string path = TempFile([(byte)'a', (byte)'b', 0xC3, 0xA9, (byte)'c', 0xFF, (byte)'d']);
        try
        {
            var e = Assert.Throws<TextFormatException>(() => TextFile.ReadAllText(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("byte offset 5", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DecodeUtf8_TruncatedSequence_ReportsOffsetAfterBom()
    {
        var e = Assert.Throws<TextFormatException>(() => TextFile.DecodeUtf8([0xEF, 0xBB, 0xBF, (byte)'x', 0xE4, 0xB8]));
        Assert.Contains("byte offset 4", e.Message);
        Assert.Equal("x中", TextFile.DecodeUtf8([0xEF, 0xBB, 0xBF, (byte)'x', 0xE4, 0xB8, 0xAD]));
    }

    [Fact]
    public void ReadAllText_MissingOrEmpty_ClearErrors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "seqlearn-no-such-file.txt");
        var e1 = Assert.Throws<FileNotFoundException>(() => TextFile.ReadAllText(missing));
        Assert.Contains(missing, e1.Message);
        string empty = TempFile([]);
        try
        {
            var e2 = Assert.Throws<TextFormatException>(() => TextFile.ReadAllText(empty));
            Assert.Contains("empty", e2.Message);
        }
        finally { File.Delete(empty); }
    }

    [Fact]
    public void SplitLines_HandlesCrLfAndFinalNewline()
    {
        Assert.Equal(["a b", "", "c"], TextFile.SplitLines("a b\r\n\nc\n"));
        Assert.Equal(["a"], TextFile.SplitLines("a"));
    }

    [Fact]
    public void WriteAllTextAtomic_WritesAndLeavesNoTemp()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"seqlearn-atomic-{Guid.NewGuid():N}");
        string path = Path.Combine(dir, "out.txt");
        TextFile.WriteAllTextAtomic(path, "héllo");
        Assert.Equal("héllo", TextFile.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }
}
