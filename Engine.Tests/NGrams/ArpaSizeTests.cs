using System.Text;
using SeqLearn.NGrams;

namespace SeqLearn.Tests.NGrams;

/// <summary>Header counts are claims, not sizes: the reader allocates from the lines it reads, and sizes never overflow.</summary>
public class ArpaSizeTests
{
    private const string Unigrams = "-1 <s>\n-1 </s>\n-1 a\n";

    [Theory]
    [InlineData("ngram 1=3\nngram 2=1000000000\n", 2, "declares 1000000000 2-grams")]
    [InlineData("ngram 1=2147483647\n", 1, "declares 2147483647 1-grams")]
    [InlineData("ngram 1=3\nngram 2=2147483647\n", 2, "declares 2147483647 2-grams")]
    public void HugeHeaderCount_IsAFormatErrorNamingTheFile_WithoutAllocatingIt(string header, int order, string expected)
    {
        var text = new StringBuilder("\\data\\\n").Append(header).Append("\n\\1-grams:\n").Append(Unigrams);
        if (order == 2) text.Append("\n\\2-grams:\n-0.5 a </s>\n");
        text.Append("\n\\end\\\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text.ToString()), "huge.arpa"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith("huge.arpa:", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.True(allocated < 64 << 20, $"allocated {allocated:N0} bytes for a {text.Length}-character file");
    }

    [Fact]
    public void SectionLongerThanTheInitialCapacity_GrowsAndKeepsEveryEntry()
    {
        // 300 words, 70 000 distinct bigrams (more than the 65 536 entries a table starts with).
        const int words = 300, bigrams = 70_000;
        var text = new StringBuilder("\\data\\\n").Append($"ngram 1={words + 2}\nngram 2={bigrams}\n\n\\1-grams:\n-1 <s> -0.25\n-1 </s>\n");
        for (int w = 0; w < words; w++) text.Append($"-2 w{w} -0.5\n");
        text.Append("\n\\2-grams:\n");
        for (int i = 0; i < bigrams; i++) text.Append($"-{1 + i % 7}.5 w{i / words} w{i % words}\n");
        text.Append("\n\\end\\\n");
        var model = ArpaReader.Read(new StringReader(text.ToString()), "big.arpa");
        Assert.Equal(bigrams, model.Table(2).Count);
        Assert.Equal(bigrams, model.LogProbs(2).Length);
        Assert.Equal(words + 3, model.LogBackoffs(1).Length); // <s>, </s>, the words and the added <unk>
        int last = model.Table(2).Find([model.Vocabulary.TryGetId("w233", out int a) ? a : -1, model.Vocabulary.TryGetId("w99", out int b) ? b : -1]);
        Assert.True(last >= 0);
        Assert.Equal(-(1 + (bigrams - 1) % 7 + 0.5f), model.LogProbs(2)[last]);
    }

    [Fact]
    public void NGramTable_HugeCapacity_IsAnArgumentError_NotAnOverflow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NGramTable(2, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NGramTable(3, 1_000_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NGramTable(2, -1));
    }

    // The limits at full scale are 2^29 n-grams (2^30 slots) and Array.MaxLength ids: growth towards them is computed in
    // 64 bits and capped, so doubling 2^30 ids or slots gives the cap, not an int overflow.
    [Fact]
    public void NGramTable_Limits_AndGrowthNearThem_NeverOverflow()
    {
        Assert.Equal(NGramTable.MaxSlots / 2, NGramTable.EntryLimit(1));
        Assert.Equal(Array.MaxLength / 20, NGramTable.EntryLimit(20));
        Assert.Equal(Array.MaxLength, NGramTable.NextLength(1 << 30, (1L << 30) + 1, Array.MaxLength));
        Assert.Equal(32, NGramTable.NextLength(16, 17, Array.MaxLength));        // below the limit: doubling
        Assert.Equal(60, NGramTable.NextLength(40, 42, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => NGramTable.NextLength(60, 61, 60));
    }

    [Fact]
    public void NGramTable_Full_RefusesANewNGramStatingTheLimit_AndKeepsWhatItHolds()
    {
        var table = new NGramTable(3, capacity: 4, maxEntries: 40);   // grows its ids and slots on the way to 40
        for (int i = 0; i < 40; i++) Assert.Equal(i, table.Add([i, i + 1, i + 2]));
        Assert.Equal(7, table.Add([7, 8, 9]));                          // present: found, not added
        var e = Assert.Throws<NGramTableFullException>(() => table.Add([1, 1, 1]));
        Assert.Contains("holds at most 40 n-grams", e.Message);
        Assert.Equal(40, table.Count);
        Assert.Equal(39, table.Find([39, 40, 41]));
        Assert.Equal(-1, table.Find([1, 1, 1]));
    }

    [Fact]
    public void ArpaSectionOverfillingItsTable_IsAFormatErrorAtThatLine()
    {
        // Unigrams <s> </s> a b and the added <unk>: 5; bigrams on lines 12-17: 6.
        string text = "\\data\\\nngram 1=4\nngram 2=6\n\n\\1-grams:\n-1 <s>\n-1 </s>\n-1 a\n-1 b\n\n\\2-grams:\n" +
                      "-0.5 <s> a\n-0.5 <s> b\n-0.5 a b\n-0.5 b a\n-0.5 a </s>\n-0.5 b </s>\n\n\\end\\\n";
        Assert.Equal(6, ArpaReader.Read(new StringReader(text), "t.arpa", maxEntries: 6).Table(2).Count);
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "t.arpa", maxEntries: 5));
        Assert.StartsWith("t.arpa:17: the 2-gram section overfills its table", e.Message);
        Assert.Contains("holds at most 5 n-grams", e.Message);
        e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "t.arpa", maxEntries: 4));
        Assert.StartsWith("t.arpa:9: the 1-gram section holds 5 words with <unk>, more than one table holds (4)", e.Message);
    }

    [Fact]
    public void ArpaMissingContextsOverfillingATable_IsAFormatErrorAtTheEnd()
    {
        // Five trigrams whose contexts and suffixes are 7 bigrams; the file lists one of them.
        string text = "\\data\\\nngram 1=4\nngram 2=1\nngram 3=5\n\n\\1-grams:\n-1 <s>\n-1 </s>\n-1 a\n-1 b\n\n\\2-grams:\n-0.5 <s> a\n\n" +
                      "\\3-grams:\n-0.5 <s> a b\n-0.5 <s> b a\n-0.5 a a b\n-0.5 b b a\n-0.5 a b </s>\n\n\\end\\\n";
        Assert.Equal(7, ArpaReader.Read(new StringReader(text), "p.arpa", maxEntries: 7).Table(2).Count);
        var e = Assert.Throws<ArpaFormatException>(() => ArpaReader.Read(new StringReader(text), "p.arpa", maxEntries: 6));
        Assert.StartsWith("p.arpa:22: adding the contexts and suffixes the file leaves out overfills a table", e.Message);
        Assert.Contains("a table of 2-grams holds at most 6 n-grams", e.Message);
    }

    [Fact]
    public void CountingMoreNGramsThanATableHolds_IsAnArgumentErrorStatingTheLimit()
    {
        // Vocabulary: <unk> <s> </s> a b c; bigrams <s> a, a b, b c, c a, a c, c b, b </s>.
        Assert.Equal(7, NGramCounts.Count(["a b c a c b"], 2, null, maxEntries: 7).Table(2).Count);
        var e = Assert.Throws<ArgumentException>(() => NGramCounts.Count(["a b c a c b"], 2, null, maxEntries: 6));
        Assert.Contains("more distinct n-grams than one table holds", e.Message);
        Assert.Contains("a table of 2-grams holds at most 6 n-grams", e.Message);
    }

    [Fact]
    public void Counting_AboveMaxOrder_IsRefusedBeforeCounting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NGramCounts.Count(["a b c"], NGramCounts.MaxOrder + 1));
        Assert.Contains($"[1, {NGramCounts.MaxOrder}]", e.Message);
        Assert.Equal(NGramCounts.MaxOrder, NGramCounts.Count(["a b c"], NGramCounts.MaxOrder).Order);
    }
}
