using System.Text;
using SeqLearn.Text;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public class ParallelCorpusTests
{
    [Fact]
    public void FraEng30k_CountsAsTheProtocolStates()
    {
        IReadOnlyList<TranslationPair> pairs = FraEng30k.Pairs;
        IReadOnlyList<TranslationExample> distinct = TranslationExample.Group(pairs);
        Assert.Equal(30_000, pairs.Count);
        Assert.Equal(18_619, distinct.Count);
        Assert.Equal(1.61, (double)pairs.Count / distinct.Count, 0.005);
        Assert.Equal(26, distinct.Max(e => e.References.Count));
        Assert.Equal(new TranslationPair("go .", "va !", 1), pairs[0]);
        Assert.Equal("run !", pairs[1].Source);
        Assert.Equal("cours !", pairs[1].Target);   // "Cours\u202f!" in the file
    }

    [Fact]
    public void Parse_ExtraColumnsCrLfAndBom_Accepted()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Hi.\tSalut.\tCC-BY\r\nHi.\tSalut !\n")];
        IReadOnlyList<TranslationPair> pairs = ParallelCorpus.Parse(bytes, "mem");
        Assert.Equal([new TranslationPair("hi .", "salut .", 1), new TranslationPair("hi .", "salut !", 2)], pairs);
    }

    [Fact]
    public void Parse_LineWithoutTab_NamesFileAndLine()
    {
        var e = Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse(Encoding.UTF8.GetBytes("a\tb\nno tab here\n"), "pairs.txt"));
        Assert.StartsWith("pairs.txt:2: expected 'source<TAB>target'", e.Message);
    }

    [Fact]
    public void Parse_CrOnlyLineEndings_NamesFileAndLine_InsteadOfMergingLines()
    {
        // Three pairs with classic-Mac line endings: read as one line, they became the single pair ("go .", "va ! hi .").
        byte[] bytes = Encoding.UTF8.GetBytes("Go.\tVa !\rHi.\tSalut !\rRun!\tCours !\r");
        var e = Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse(bytes, "pairs.txt"));
        Assert.StartsWith("pairs.txt:1: a carriage return", e.Message);
    }

    [Fact]
    public void Parse_InvalidUtf8_NamesFileAndLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("a\tb\nc\td\ne\t"), 0xC3, 0x28, (byte)'\n'];
        var e = Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse(bytes, "pairs.txt"));
        Assert.StartsWith("pairs.txt:3: invalid UTF-8", e.Message);
        // A binary line holding a carriage return is reported as what it is: not text.
        e = Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse([0x01, (byte)'\r', 0xFF, 0xFE, (byte)'\t', 0x80], "pairs.bin"));
        Assert.StartsWith("pairs.bin:1: invalid UTF-8 at byte 3 of the line", e.Message);
    }

    [Fact]
    public void Parse_EmptySideOrEmptyFile_Rejected()
    {
        Assert.StartsWith("f:1: the target side is empty", Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse("a\t \n"u8, "f")).Message);
        Assert.StartsWith("f: the file is empty", Assert.Throws<TextFormatException>(() => ParallelCorpus.Parse([], "f")).Message);
        Assert.Throws<FileNotFoundException>(() => ParallelCorpus.Read(Path.Combine(Path.GetTempPath(), "seqlearn-no-such-pairs.txt")));
    }

    [Fact]
    public void MostCommonReference_CountsThenFirstSeenOnTies()
    {
        Assert.Equal("b", new TranslationExample("x", ["a", "b", "b"], 1).MostCommonReference);
        Assert.Equal("a", new TranslationExample("x", ["a", "b", "b", "a"], 1).MostCommonReference);   // 2–2: a was seen first
        Assert.Equal("c", new TranslationExample("x", ["c", "d"], 1).MostCommonReference);
    }
}
