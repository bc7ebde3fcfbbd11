using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;

namespace SeqLearn.Tests.Text;

public class PathCheckTests
{
    [Fact]
    public void SameFile_FollowsASymbolicLinkAndDotSegments_AndTellsOtherFilesApart()
    {
        using var dir = new TempDir("pathcheck-same");
        string a = dir.Combine("a.txt"), b = dir.Combine("b.txt"), link = dir.Combine("link.txt");
        File.WriteAllText(a, "x");
        File.WriteAllText(b, "x");
        File.CreateSymbolicLink(link, a);
        Assert.True(PathCheck.SameFile(a, link));
        Assert.True(PathCheck.SameFile(a, Path.Combine(dir.Path, ".", "a.txt")));
        Assert.False(PathCheck.SameFile(a, b));
        Assert.Equal(Path.GetFullPath(a), PathCheck.ResolvedPath(link));
        Assert.Equal(Path.GetFullPath(dir.Combine("new.txt")), PathCheck.ResolvedPath(dir.Combine("new.txt")));   // not there yet: as given
    }

    [Fact]
    public void RegularFile_DeviceAndDirectory_AreTold()
    {
        using var dir = new TempDir("pathcheck");
        string file = dir.Combine("a.txt");
        File.WriteAllText(file, "x");
        Assert.True(PathCheck.IsRegularFile(file));
        Assert.False(PathCheck.IsRegularFile(dir.Path));
        Assert.False(PathCheck.IsRegularFile(dir.Combine("missing")));
        if (File.Exists("/dev/null")) Assert.False(PathCheck.IsRegularFile("/dev/null"));
    }

    [Fact]
    public void WritingOverADirectoryOrADevice_IsRefused_AndReadingADirectorySaysSo()
    {
        using var dir = new TempDir("pathcheck-w");
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => TextFile.WriteAtomic(dir.Path, s => s.WriteByte(1))).Message);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => SeqLearn.Checkpoints.AtomicFile.WriteAllBytes(dir.Path, [1])).Message);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => TextFile.ReadLines(dir.Path)).Message);
        Assert.Throws<FileNotFoundException>(() => TextFile.ReadLines(dir.Combine("missing.txt")));
        if (File.Exists("/dev/null"))
        {
            Assert.False(PathCheck.IsRegularFile("/dev/null")); // guard: never reach a write below with a broken check
            Assert.Contains("not a regular file", Assert.Throws<IOException>(() => TextFile.WriteAtomic("/dev/null", s => s.WriteByte(1))).Message);
        }
        string file = dir.Combine("ok.txt");
        TextFile.WriteAtomic(file, s => s.WriteByte((byte)'a'));
        TextFile.WriteAtomic(file, s => s.WriteByte((byte)'b'));
        Assert.Equal("b", File.ReadAllText(file));
    }
}
