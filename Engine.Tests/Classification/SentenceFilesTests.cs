using SeqLearn.Classification;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Classification;

public class SentenceFilesTests
{
    private static LabeledSentences ReadMr() => SentenceFiles.ReadPolarity(
        SharedData.PathOf("data/sentiment/rt-polarity.pos"), SharedData.PathOf("data/sentiment/rt-polarity.neg"));

    [Fact]
    public void ReadPolarity_Mr_5331PerClass_PositivesFirst_TokenCountsOfTheDataReadme()
    {
        LabeledSentences mr = ReadMr();
        Assert.Equal(10_662, mr.Count);
        Assert.Equal(["neg", "pos"], mr.ClassNames);
        Assert.Equal([5331, 5331], mr.ClassCounts());
        Assert.All(mr.Labels.Take(5331), y => Assert.Equal(1, y));
        Assert.All(mr.Labels.Skip(5331), y => Assert.Equal(0, y));
        // shared/data/README.md: 112,442 tokens in .pos, 111,625 in .neg (whitespace split).
        Assert.Equal(112_442, mr.Sentences.Take(5331).Sum(s => s.Length));
        Assert.Equal(111_625, mr.Sentences.Skip(5331).Sum(s => s.Length));
        Assert.Equal(["the", "rock", "is", "destined"], mr.Sentences[0].Take(4));
        Assert.Equal("simplistic", mr.Sentences[5331][0]);
    }

    [Fact]
    public void ReadTabSeparated_FirstSeenAndSortedOrders()
    {
        using var dir = new TempDir("cls-tsv");
        string path = dir.Combine("d.tsv");
        File.WriteAllText(path, "pos\tgood film \nneg\tbad  film\r\nneutral\tok\npos\tgreat\n");
        LabeledSentences first = SentenceFiles.ReadTabSeparated(path);
        Assert.Equal(["pos", "neg", "neutral"], first.ClassNames);
        Assert.Equal([0, 1, 2, 0], first.Labels);
        Assert.Equal(["bad", "film"], first.Sentences[1]);
        LabeledSentences sorted = SentenceFiles.ReadTabSeparated(path, LabelOrder.Sorted);
        Assert.Equal(["neg", "neutral", "pos"], sorted.ClassNames);
        Assert.Equal([2, 0, 1, 2], sorted.Labels);
    }

    [Theory]
    [InlineData("pos\tgood\nno tab here\n", ":2: expected 'label<TAB>text'")]
    [InlineData("pos\tgood\n\tno label\n", ":2: the label before the tab is empty")]
    [InlineData("pos\tgood\nneg\t   \n", ":2: the sentence has no tokens")]
    [InlineData("pos\tgood\n\nneg\tbad\n", ":2: expected 'label<TAB>text'")]
    public void ReadTabSeparated_MalformedRow_FormatExceptionNamesFileAndLine(string content, string expected)
    {
        using var dir = new TempDir("cls-bad");
        string path = dir.Combine("bad.tsv");
        File.WriteAllText(path, content);
        var e = Assert.Throws<FormatException>(() => SentenceFiles.ReadTabSeparated(path));
        Assert.StartsWith(path + expected, e.Message);
    }

    [Fact]
    public void CarriageReturnInsideALine_FormatExceptionNamesLineAndByte()
    {
        // Old Mac (CR-only) line endings: read as one line, both files would be one sentence each.
        using var dir = new TempDir("cls-cr");
        string pos = dir.Combine("pos.txt"), neg = dir.Combine("neg.txt"), tsv = dir.Combine("d.tsv");
        File.WriteAllText(pos, "good film\r\ngreat film\rfine\r\n");
        File.WriteAllText(neg, "bad film\n");
        File.WriteAllText(tsv, "pos\tgood\rneg\tbad\r");
        var e = Assert.Throws<FormatException>(() => SentenceFiles.ReadPolarity(pos, neg));
        Assert.Equal($"{pos}:2: a carriage return at byte 11 of the line does not end it; lines must end with LF or CRLF.", e.Message);
        e = Assert.Throws<FormatException>(() => SentenceFiles.ReadTabSeparated(tsv));
        Assert.StartsWith($"{tsv}:1: a carriage return at byte 9 of the line", e.Message);
    }

    [Fact]
    public void ReadPolarity_Windows1252Byte_FormatExceptionNamesLineAndByte()
    {
        using var dir = new TempDir("cls-1252");
        string pos = dir.Combine("p"), neg = dir.Combine("n");
        File.WriteAllBytes(pos, [.. "good film\n"u8, .. "a caf"u8, 0xE9, .. " scene\n"u8]); // é in Windows-1252
        File.WriteAllText(neg, "bad film\n");
        var e = Assert.Throws<FormatException>(() => SentenceFiles.ReadPolarity(pos, neg));
        Assert.StartsWith($"{pos}:2: invalid UTF-8 at byte 6 of the line (0xE9)", e.Message);
    }

    [Fact]
    public void ReadPolarity_BlankLine_FormatException()
    {
        using var dir = new TempDir("cls-blank");
        string pos = dir.Combine("p"), neg = dir.Combine("n");
        File.WriteAllText(pos, "good\n");
        File.WriteAllText(neg, "bad\n \nworse\n");
        var e = Assert.Throws<FormatException>(() => SentenceFiles.ReadPolarity(pos, neg));
        Assert.StartsWith($"{neg}:2: the sentence has no tokens", e.Message);
    }

    // An empty .pos or .neg file is refused, naming it, as ReadTabSeparated refuses an empty file: read as a data set with
    // one class empty, cross-validation would score it as if it were real (every test sentence of the one class, trivially
    // right).
    [Fact]
    public void ReadPolarity_EmptyFile_FormatExceptionNamesTheFile()
    {
        using var dir = new TempDir("cls-empty");
        string pos = dir.Combine("p"), neg = dir.Combine("n"), bomOnly = dir.Combine("b");
        File.WriteAllText(pos, "good film\nfine acting\n");
        File.WriteAllText(neg, "");
        File.WriteAllBytes(bomOnly, [0xEF, 0xBB, 0xBF]);
        var e = Assert.Throws<FormatException>(() => SentenceFiles.ReadPolarity(pos, neg));
        Assert.StartsWith($"{neg}:", e.Message);
        e = Assert.Throws<FormatException>(() => SentenceFiles.ReadPolarity(bomOnly, pos));
        Assert.StartsWith($"{bomOnly}:", e.Message);
    }
}
