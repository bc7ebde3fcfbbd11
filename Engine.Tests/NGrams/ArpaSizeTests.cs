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

    [Fact]
    public void Counting_AboveMaxOrder_IsRefusedBeforeCounting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NGramCounts.Count(["a b c"], NGramCounts.MaxOrder + 1));
        Assert.Contains($"[1, {NGramCounts.MaxOrder}]", e.Message);
        Assert.Equal(NGramCounts.MaxOrder, NGramCounts.Count(["a b c"], NGramCounts.MaxOrder).Order);
    }
}
