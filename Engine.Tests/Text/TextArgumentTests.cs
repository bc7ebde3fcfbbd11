using SeqLearn.Classification;
using SeqLearn.Forecasting;
using SeqLearn.NGrams;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Text;

/// <summary>
/// Input the text layer cannot read as text is refused up front: a device (read as text it never ends), a null or empty
/// path, null text, and a lone UTF-16 surrogate, which would otherwise become U+FFFD without a word.
/// </summary>
public class TextArgumentTests
{
    [Fact]
    public void ADevice_IsRefusedNamingIt_BeforeAnythingIsRead()
    {
        Assert.Contains("'/dev/zero' is a device", Assert.Throws<IOException>(() => TextFile.ReadAllText("/dev/zero")).Message);
        Assert.Contains("'/dev/zero' is a device", Assert.Throws<IOException>(() => ArpaReader.Read("/dev/zero")).Message);
    }

    // The readers of the task data files, each reading a whole file.
    private static readonly Action<string>[] DataReaders =
    [
        path => TextFile.ReadAllText(path),
        path => TimeSeriesCsv.Read(path, "value"),
        path => SentenceFiles.ReadLines(path),
        path => ParallelCorpus.Read(path),
    ];

    [Fact]
    public void TheDataReaders_RefuseADeviceAndAFileLargerThanAnArray_NamingThePath()
    {
        foreach (var read in DataReaders)
            Assert.Contains("'/dev/zero' is a device", Assert.Throws<IOException>(() => read("/dev/zero")).Message);
        using var dir = new TempDir("huge-input");
        string path = dir.Combine("huge.txt");
        using (var f = new FileStream(path, FileMode.Create)) f.SetLength(Array.MaxLength + 1L);   // sparse: nothing written
        foreach (var read in DataReaders)
            Assert.Contains($"'{path}' is {Array.MaxLength + 1L} bytes; files above {Array.MaxLength} bytes are not supported.",
                Assert.Throws<IOException>(() => read(path)).Message);
    }

    [Fact]
    public void NullOrEmptyPathsAndText_AreArgumentErrorsNamingTheParameter()
    {
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => TextFile.ReadAllText((string)null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => TextFile.ReadLines("")).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => CharVocabulary.Build("abc").Encode(null!)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => new WordVocabulary(["<unk>", "<eos>", "a"]).Encode(null!)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentNullException>(() => new WordVocabulary(null!)).ParamName);
        Assert.Equal("symbols", Assert.Throws<ArgumentNullException>(() => new CharVocabulary(null!, false)).ParamName);
        Assert.Equal("line", Assert.Throws<ArgumentNullException>(() => new WordVocabulary(["<unk>", "<eos>", "a"]).EncodeLine(null!)).ParamName);
        Assert.Equal("lines", Assert.Throws<ArgumentNullException>(() => new WordVocabulary(["<unk>", "<eos>", "a"]).EncodeLines(null!)).ParamName);
    }

    [Fact]
    public void ALoneSurrogate_IsRefusedWithItsIndex_InBuildAndEncode()
    {
        var e = Assert.Throws<ArgumentException>(() => CharVocabulary.Build("a\uD800b"));
        Assert.Contains("U+D800 at index 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => CharVocabulary.Build("ab", withUnk: true).Encode("b\uDC00"));
        Assert.Contains("U+DC00 at index 1", e.Message);
        var vocabulary = CharVocabulary.Build("a\U0001F600");   // a pair is one character
        Assert.Equal("a\U0001F600", vocabulary.Decode(vocabulary.Encode("a\U0001F600")));
    }

    [Fact]
    public void NullTextVocabulariesAndPaths_OfTheStaticHelpers_AreNamed()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => TextFile.SplitLines(null!)).ParamName);
        Assert.Equal("vocab", Assert.Throws<ArgumentNullException>(() => VocabularyJson.ToJson((CharVocabulary)null!)).ParamName);
        Assert.Equal("vocab", Assert.Throws<ArgumentNullException>(() => VocabularyJson.ToJson((WordVocabulary)null!)).ParamName);
        Assert.Equal("line", Assert.Throws<ArgumentNullException>(() => TokenVocabulary.Tokenize(null!)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => PathCheck.SameFile(null!, "b")).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => PathCheck.SameFile("a", null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => PathCheck.IsRegularFile(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => PathCheck.EnsureNotDevice(null!, "the corpus")).ParamName);
    }

    [Fact]
    public void NullTokensTextAndWriters_AreNamed_AndNoFileIsCreated()
    {
        var vocabulary = new WordVocabulary(["<unk>", "<eos>", "a"]);
        Assert.Equal("token", Assert.Throws<ArgumentNullException>(() => vocabulary.TryGetId((string)null!, out _)).ParamName);
        Assert.Equal("token", Assert.Throws<ArgumentNullException>(() => vocabulary.IdOrUnk((string)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => TextFile.ReadAllText(new MemoryStream([(byte)'a']), null!)).ParamName);
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("text-null");
        string path = tmp.Combine("out.txt");
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => TextFile.WriteAtomic(path, null!)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => TextFile.WriteAllTextAtomic(path, null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => TextFile.WriteAtomic(null!, _ => { })).ParamName);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }
}
