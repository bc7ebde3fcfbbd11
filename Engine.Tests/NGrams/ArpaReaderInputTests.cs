using System.Text;
using SeqLearn.NGrams;

namespace SeqLearn.Tests.NGrams;

/// <summary>Malformed ARPA input found in review: each must be an <see cref="ArpaFormatException"/> at the offending line, without large allocations.</summary>
public class ArpaReaderInputTests
{
    [Fact]
    public void DuplicateUnigram_IsReportedAtItsOwnLine()
    {
        // line 7 repeats 'a'; the section ends at line 9.
        const string text = "\\data\\\nngram 1=5\n\n\\1-grams:\n-1 <s>\n-1 a\n-1 a\n-1 </s>\n-1 b\n\n\\end\\\n";
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "dup.arpa"));
        Assert.Equal(7, e.Line);
        Assert.StartsWith("dup.arpa:7:", e.Message);
    }

    [Fact]
    public void UnigramWithAVerticalTab_IsReportedAtItsOwnLine_ANoBreakSpaceIsPartOfTheWord()
    {
        // KenLM separates words on ' ', \t, \n, \v, \f and \r only: a no-break space belongs to the word.
        const string text = "\\data\\\nngram 1=4\n\n\\1-grams:\n-1 <s>\n-1 a\vb\n-1 </s>\n-1 c\n\n\\end\\\n";
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "ws.arpa"));
        Assert.Equal(6, e.Line);
        var model = ArpaReader.Read(new StringReader(text.Replace("a\vb", "a\u00A0b")), "nbsp.arpa");
        Assert.True(model.Vocabulary.TryGetId("a\u00A0b", out _));
    }

    [Fact]
    public void AFileInUtf16_IsInvalidUtf8AtItsFirstByte_AUtf8ByteOrderMarkIsSkipped()
    {
        const string text = "\\data\\\nngram 1=3\n\n\\1-grams:\n-1 <s>\n-1 a\n-1 </s>\n\n\\end\\\n";
        using var tmp = new SeqLearn.Tests.Checkpoints.TempDir("arpa-bom");
        string utf16 = tmp.Combine("utf16.arpa"), utf8 = tmp.Combine("bom.arpa");
        File.WriteAllText(utf16, text, new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        File.WriteAllText(utf8, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(utf16));
        Assert.Equal(1, e.Line);
        Assert.Contains("0xFF", e.Message);
        Assert.True(ArpaReader.Read(utf8).Vocabulary.TryGetId("a", out _));
    }

    [Fact]
    public void AUnigramSectionWithoutSentenceStart_NamesTheMissingSymbol_NotAParameter()
    {
        const string text = "\\data\\\nngram 1=2\n\n\\1-grams:\n-1 a\n-1 </s>\n\n\\end\\\n";
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "nobos.arpa"));
        Assert.Contains("must contain <s>", e.Message);
        Assert.DoesNotContain("Parameter", e.Message);
    }

    [Fact]
    public void HeaderDeclaringThousandsOfOrders_IsRefusedAtTheHeader_NotAllocatedQuadratically()
    {
        // 1 000 empty orders: a 25 kB file made the reader allocate ~39 MB (32·N² bytes of empty tables: 10 000 orders
        // in 300 kB would take ~3 GB), and LogProb10 stackallocs 8·N bytes per call.
        const int orders = 1000;
        var text = new StringBuilder("\\data\\\nngram 1=3\n");
        for (int k = 2; k <= orders; k++) text.Append($"ngram {k}=0\n");
        text.Append("\n\\1-grams:\n-1 <s> -0.5\n-1 </s>\n-1 a\n");
        for (int k = 2; k <= orders; k++) text.Append($"\n\\{k}-grams:\n");
        text.Append("\n\\end\\\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text.ToString()), "orders.arpa"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(NGramCounts.MaxOrder + 2, e.Line);   // 'ngram 21=0', the first order above the cap (line k + 1 holds order k)
        Assert.True(allocated < 4 << 20, $"allocated {allocated:N0} bytes for a {text.Length}-character file");
    }

    [Fact]
    public void HeaderAtTheMaximumOrder_StillReads()
    {
        int orders = NGramCounts.MaxOrder;
        var text = new StringBuilder("\\data\\\nngram 1=3\n");
        for (int k = 2; k <= orders; k++) text.Append($"ngram {k}=0\n");
        text.Append("\n\\1-grams:\n-1 <s> -0.5\n-1 </s>\n-1 a\n");
        for (int k = 2; k <= orders; k++) text.Append($"\n\\{k}-grams:\n");
        text.Append("\n\\end\\\n");
        Assert.Equal(orders, ArpaReader.Read(new StringReader(text.ToString()), "max.arpa").Order);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ABackOffOnTheHighestOrder_IsAcceptedWhenZero_RefusedAtItsLineOtherwise(int order)
    {
        // As KenLM: a zero back-off field on the highest order is accepted, a non-zero one refused.
        string Text(string bo) => order == 1
            ? $"\\data\\\nngram 1=3\n\n\\1-grams:\n-1 <s>\n-0.5 a\t{bo}\n-0.5 </s>\n\n\\end\\\n"
            : $"\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-1 <s>\t-0.2\n-0.5 a\n-0.5 </s>\n\n\\2-grams:\n-0.1 <s> a\t{bo}\n\n\\end\\\n";
        int line = order == 1 ? 6 : 11;
        foreach (string zero in new[] { "0", "-0.0" })
        {
            BackoffModel model = ArpaReader.Read(new StringReader(Text(zero)), "zero.arpa");
            Assert.Equal(order, model.Order);
        }
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(Text("-0.25")), "bo.arpa"));
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"bo.arpa:{line}:", e.Message);
        Assert.Contains("the highest order", e.Message);
        Assert.Contains("has no back-off", e.Message);
    }
}
