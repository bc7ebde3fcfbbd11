using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;

namespace SeqLearn.Tests.Text;

/// <summary>Corpus and vocabulary input found in review.</summary>
public class TextInputTests
{
    [Fact]
    public void FileHoldingOnlyAByteOrderMark_IsEmpty()
    {
        using var dir = new TempDir("text-bom");
        string path = dir.Combine("bom.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF]);
        var e = Assert.Throws<TextFormatException>(() => TextFile.ReadAllText(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void FileAboveTwoGigabytes_ErrorNamesTheFile()
    {
        using var dir = new TempDir("text-huge");
        string path = dir.Combine("huge.txt");
        using (var fs = new FileStream(path, FileMode.Create)) fs.SetLength(3L << 30);   // sparse: no data is written
        var e = Record.Exception(() => TextFile.ReadAllText(path));
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void WordVocabularyJson_WithANullToken_IsAFormatError_NotANullReference()
    {
        var e = Assert.Throws<TextFormatException>(() => VocabularyJson.WordFromJson("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<eos>\",null]}"));
        Assert.Contains("Token 2", e.Message);
        Assert.DoesNotContain("Parameter", e.Message);
        Assert.Contains("appears twice", Assert.Throws<TextFormatException>(() => VocabularyJson.WordFromJson("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<eos>\",\"a\",\"a\"]}")).Message);
        Assert.Contains("<eos>", Assert.Throws<TextFormatException>(() => VocabularyJson.WordFromJson("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"a\"]}")).Message);
        Assert.Contains("twice", Assert.Throws<TextFormatException>(() => VocabularyJson.CharFromJson("{\"kind\":\"char\",\"scalars\":[97,97],\"withUnk\":false}")).Message);
    }

    [Fact]
    public void VocabularyJson_AKeyTheReaderReadsOfAnotherType_IsNamed_KeysItDoesNotReadAreIgnored()
    {
        Assert.Contains("\"withUnk\" must be true or false", Assert.Throws<TextFormatException>(() => VocabularyJson.CharFromJson("{\"kind\":\"char\",\"scalars\":[97],\"withUnk\":5}")).Message);
        Assert.Contains("\"scalars\" must be an array", Assert.Throws<TextFormatException>(() => VocabularyJson.CharFromJson("{\"kind\":\"char\",\"scalars\":5}")).Message);
        Assert.Contains("\"tokens\" must be an array", Assert.Throws<TextFormatException>(() => VocabularyJson.WordFromJson("{\"kind\":\"word\",\"tokens\":5}")).Message);
        Assert.Equal(3, VocabularyJson.WordFromJson("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<eos>\",\"a\"],\"withUnk\":5,\"scalars\":\"x\",\"other\":[]}").Count);
        Assert.Equal(1, VocabularyJson.CharFromJson("{\"kind\":\"char\",\"scalars\":[97],\"tokens\":[\"x\"],\"other\":1}").Count);
    }
}
