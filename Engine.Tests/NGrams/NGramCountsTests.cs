using SeqLearn.NGrams;

namespace SeqLearn.Tests.NGrams;

public class NGramCountsTests
{
    // Reference: string-keyed counting of the padded sentences, n-grams ending on a predicted word.
    private static Dictionary<string, int> BruteForce(string[] lines, int k)
    {
        var counts = new Dictionary<string, int>();
        foreach (string line in lines)
        {
            string[] s = ["<s>", .. line.Split(' ', StringSplitOptions.RemoveEmptyEntries), "</s>"];
            for (int i = 1; i < s.Length; i++)
                if (i - k + 1 >= 0)
                {
                    string key = string.Join(' ', s[(i - k + 1)..(i + 1)]);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
        }
        return counts;
    }

    private static string KeyOf(NGramCounts counts, int k, int e)
    {
        ReadOnlySpan<int> ids = counts.Table(k).Key(e);
        var parts = new string[k];
        for (int i = 0; i < k; i++) parts[i] = counts.Vocabulary.TokenOf(ids[i]);
        return string.Join(' ', parts);
    }

    [Theory]
    [InlineData(1UL, 1)]
    [InlineData(2UL, 3)]
    [InlineData(3UL, 8)]
    public void Count_EveryOrder_EqualsStringKeyedReference(ulong seed, int order)
    {
        string[] lines = NGramTestCorpus.Random(seed, 60, 12, 10);
        var counts = NGramCounts.Count(lines, order);
        for (int k = 1; k <= order; k++)
        {
            Dictionary<string, int> expected = BruteForce(lines, k);
            var actual = new Dictionary<string, int>();
            for (int e = 0; e < counts.Table(k).Count; e++)
                if (counts.Counts(k)[e] > 0) actual[KeyOf(counts, k, e)] = counts.Counts(k)[e];
            Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        }
    }

    [Fact]
    public void AdjustedCounts_FollowKenLmDefinition()
    {
        string[] lines = NGramTestCorpus.Random(4, 80, 10, 8);
        var counts = NGramCounts.Count(lines, 3);
        int[][] a = counts.AdjustedCounts();
        Dictionary<string, int> trigrams = BruteForce(lines, 3), bigrams = BruteForce(lines, 2);
        for (int k = 1; k <= 2; k++)
        {
            Dictionary<string, int> higher = k == 1 ? bigrams : trigrams, raw = k == 1 ? BruteForce(lines, 1) : bigrams;
            for (int e = 0; e < counts.Table(k).Count; e++)
            {
                string key = KeyOf(counts, k, e);
                int expected = key == "<s>" ? 0
                    : key.StartsWith("<s> ", StringComparison.Ordinal) ? raw[key]
                    : higher.Keys.Count(h => h.EndsWith(" " + key, StringComparison.Ordinal) && h.Split(' ').Length == k + 1);
                Assert.True(expected == a[k - 1][e], $"a({key}) = {a[k - 1][e]}, expected {expected}.");
            }
        }
        Assert.Equal(counts.Counts(3).ToArray(), a[2]);
    }

    [Fact]
    public void NGramTable_ManyInsertions_FindsEveryKeyAndRejectsOthers()
    {
        var table = new NGramTable(3, 4);
        var rng = new SeqLearn.Tensors.SeededRng(5);
        var keys = new List<int[]>();
        for (int i = 0; i < 5000; i++)
        {
            int[] key = [rng.NextInt(40), rng.NextInt(40), rng.NextInt(40)];
            int before = table.Count;
            int e = table.Add(key);
            if (table.Count > before) keys.Add(key);
            Assert.Equal(key, table.Key(e).ToArray());
        }
        for (int e = 0; e < keys.Count; e++) Assert.Equal(e, table.Find(keys[e]));
        Assert.Equal(-1, table.Find([40, 0, 0]));
    }

    // The id array has room beyond Count (it grows by doubling): an entry there is no n-gram, not a key of zeros.
    [Fact]
    public void NGramTable_KeyOfAnEntryOutsideTheTable_ThrowsNamingTheRange()
    {
        var table = new NGramTable(2);
        table.Add([3, 4]);
        table.Add([5, 6]);
        Assert.Equal([5, 6], table.Key(1).ToArray());
        foreach (int entry in new[] { 2, 15, -1 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => table.Key(entry).ToArray());
            Assert.Equal("entry", e.ParamName);
            Assert.Contains("NGramTable.Key", e.Message);
            Assert.Contains("[0, 2)", e.Message);
        }
    }

    [Fact]
    public void Vocabulary_CorpusWithSentenceMarker_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => NGramCounts.Count(["a b", "c </s> d"], 2));
        Assert.Contains("Line 2", e.Message);
    }

    [Fact]
    public void EncodeSentence_SplitsLikeSplitWords()
    {
        var vocab = NGramVocabulary.Build(["a b c"]);
        foreach (string line in new[] { "", "  ", "a", " a\tb  c ", "a\u00A0b\u3000c\r", "x a\u2028z", "a\vb\fc" })
        {
            long oovs = 0;
            int[] ids = vocab.EncodeSentence(line, ref oovs);
            string[] words = NGramVocabulary.SplitWords(line);
            Assert.Equal([vocab.BosId, .. words.Select(vocab.IdOrUnk), vocab.EosId], ids);
            Assert.Equal(words.Count(w => !vocab.TryGetId(w, out _)), oovs);
        }
    }

    // <s> and </s> are added per line: in the text they would count "a <s>" or end a sentence mid-line.
    [Theory]
    [InlineData("a <s> b", "<s>")]
    [InlineData("a </s> b", "</s>")]
    public void Count_LineWithASentenceMarker_IsRefused_WithOrWithoutAGivenVocabulary(string line, string marker)
    {
        string[] lines = ["a b", line];
        string expected = $"Line 2: the corpus contains '{marker}', which is reserved for sentence boundaries.";
        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => NGramCounts.Count(lines, 2)).Message);
        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => NGramCounts.Count(lines, 2, NGramVocabulary.Build(["a b"]))).Message);
        Assert.Equal(3, NGramCounts.Count(["a b"], 2, NGramVocabulary.Build(["a b"])).Table(2).Count);
    }

    [Fact]
    public void Accessors_OrderOutsideTheCounts_ThrowNamingTheRange()
    {
        var counts = NGramCounts.Count(["a b c", "b c"], 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => counts.Counts(7));
        Assert.Equal("k", e.ParamName);
        Assert.Contains("NGramCounts.Counts: order k = 7 is outside [1, 3]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.Counts(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.Table(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.ContextOf(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.SuffixOf(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.ContextCount(0));
    }

    [Fact]
    public void Count_NullLine_ThrowsNamingTheLine()
    {
        Assert.Contains("line 1 is null", Assert.Throws<ArgumentException>(() => NGramCounts.Count([null!], 3)).Message);
        var vocabulary = NGramVocabulary.Build(["a"]);
        Assert.Equal("lines", Assert.Throws<ArgumentException>(() => NGramCounts.Count(["a", null!], 2, vocabulary)).ParamName);
        Assert.Equal("lines", Assert.Throws<ArgumentException>(() => NGramVocabulary.Build(["a", null!])).ParamName);
    }
}
