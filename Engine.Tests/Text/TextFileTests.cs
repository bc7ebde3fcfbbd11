using System.Text;
using SeqLearn.Tests.Checkpoints;
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

    // A second write of the same path starts while the first is filling its temporary file (nested, so the overlap is
    // certain): each has its own temporary file, the first one's rename comes last and wins, nothing is left behind.
    [Fact]
    public void WriteAtomic_OverlappingWritersOfOnePath_EachWriteItsOwnTempFile()
    {
        using var dir = new TempDir("atomic-overlap");
        string path = dir.Combine("out.txt");
        TextFile.WriteAtomic(path, outer =>
        {
            outer.Write("first"u8);
            TextFile.WriteAtomic(path, inner => inner.Write("second"u8));
            Assert.Equal("second", File.ReadAllText(path));
        });
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(["out.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    // The overlapping writer fails: it deletes its own temporary file only, and the first writer completes.
    [Fact]
    public void WriteAtomic_FailingOverlappingWriter_DeletesOnlyItsOwnTempFile()
    {
        using var dir = new TempDir("atomic-fail");
        string path = dir.Combine("out.txt");
        TextFile.WriteAtomic(path, outer =>
        {
            outer.Write("first"u8);
            var e = Assert.Throws<InvalidOperationException>(() => TextFile.WriteAtomic(path, inner =>
            {
                inner.Write("partial"u8);
                throw new InvalidOperationException("the second writer failed");
            }));
            Assert.Equal("the second writer failed", e.Message);
            Assert.Single(Directory.GetFiles(dir.Path));   // the first writer's temporary file
        });
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(["out.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FindInvalidUtf8_NamesOffsetLineAndByte_SpanAndStreamingAgree()
    {
        Assert.Null(TextFile.FindInvalidUtf8("a\nb é 👋\n"u8));
        Assert.Equal(new Utf8Error(6, 4, 2, 0xFF), TextFile.FindInvalidUtf8([(byte)'a', (byte)'\n', (byte)'\n', (byte)'x', (byte)'\n', (byte)'y', 0xFF]));
        // A truncated sequence at the very end, and sequences across the streaming reader's 64 KB buffer boundary.
        var rng = new SeqLearn.Tensors.SeededRng(6);
        foreach (int at in new[] { 0, 1, 65_534, 65_535, 65_536, 65_537, 140_000 })
        {
            var text = new StringBuilder();
            while (text.Length < 150_000) text.Append(rng.NextInt(9) == 0 ? "\n" : rng.NextInt(5) == 0 ? "é" : rng.NextInt(7) == 0 ? "👋" : "a");
            byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
            string path = TempFile(bytes);
            try { Assert.Null(TextFile.FindInvalidUtf8(path)); }
            finally { File.Delete(path); }
            int cut = at;
            while ((bytes[cut] & 0xC0) == 0x80) cut++;          // the start of a character
            byte[] bad = [.. bytes[..cut], 0xE2, 0x82, .. bytes[cut..]]; // a truncated 3-byte sequence
            var expected = TextFile.FindInvalidUtf8(bad);
            Assert.NotNull(expected);
            Assert.Equal(cut, expected.Value.Offset);
            Assert.Equal(bad.AsSpan(0, cut).Count((byte)'\n') + 1, expected.Value.Line);
            path = TempFile(bad);
            try { Assert.Equal(expected, TextFile.FindInvalidUtf8(path)); }
            finally { File.Delete(path); }
        }
        byte[] truncatedAtEnd = [(byte)'a', (byte)'\n', 0xF0, 0x9F, 0x98];
        Assert.Equal(new Utf8Error(2, 2, 1, 0xF0), TextFile.FindInvalidUtf8(truncatedAtEnd));
        string end = TempFile(truncatedAtEnd);
        try { Assert.Equal(new Utf8Error(2, 2, 1, 0xF0), TextFile.FindInvalidUtf8(end)); }
        finally { File.Delete(end); }
    }

    [Fact]
    public void WriteAtomic_DeletesOnlyTheStaleTemporariesOfProcessesThatAreGone()
    {
        using var dir = new TempDir("stale-tmp");
        string output = dir.Combine("model.arpa");
        string Tmp(string middle) => dir.Combine($".model.arpa.{middle}.tmp");
        var old = DateTime.UtcNow - TextFile.StaleAfter - TimeSpan.FromMinutes(5);
        // A pid above any Linux pid_max (2^22) is no running process.
        string[] gone = [Tmp("99999999.1"), Tmp("99999998.7")];
        string recent = Tmp("99999997.1"), ours = Tmp($"{Environment.ProcessId}.12345"), running = Tmp("1.3"),
            foreign = Tmp("notapid.1"), otherOutput = dir.Combine(".other.arpa.99999999.1.tmp");
        foreach (string f in gone.Concat([recent, ours, running, foreign, otherOutput])) File.WriteAllText(f, "partial");
        foreach (string f in gone.Concat([ours, running, foreign, otherOutput])) File.SetLastWriteTimeUtc(f, old);

        TextFile.WriteAtomic(output, s => s.WriteByte((byte)'x'));

        Assert.All(gone, f => Assert.False(File.Exists(f)));
        Assert.All(new[] { recent, ours, foreign, otherOutput }, f => Assert.True(File.Exists(f), f));
        Assert.Equal(!OperatingSystem.IsWindows(), File.Exists(running));   // pid 1 (init, launchd) runs on Unix
        Assert.Equal("x", File.ReadAllText(output));
    }
}
