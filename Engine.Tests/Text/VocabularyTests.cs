using System.Text;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;

namespace SeqLearn.Tests.Text;

public class VocabularyTests
{
    [Fact]
    public void CharVocabulary_ChineseAccentsEmoji_AreOneSymbolEach()
    {
        string text = "周杰伦 café 🎵🎵";
        var vocab = CharVocabulary.Build(text);
        int[] ids = vocab.Encode(text);
        Assert.Equal(11, ids.Length); // 周 杰 伦 ␠ c a f é ␠ 🎵 🎵
        Assert.Equal(text, vocab.Decode(ids));
    }

    [Fact]
    public void CharVocabulary_OrderIsByScalarValue()
    {
        var vocab = CharVocabulary.Build("ba🎵é a");
        int[] values = vocab.Symbols.Select(r => r.Value).ToArray();
        Assert.Equal(values.OrderBy(v => v).ToArray(), values);
        Assert.Equal([' ', 'a', 'b', 'é', 0x1F3B5], values);
    }

    [Fact]
    public void CharVocabulary_RandomText_RoundTrips()
    {
        var rng = new SeededRng(7);
        int[] pool = ['a', 'Z', ' ', '\n', 'é', 0x4E2D, 0x6587, 0x1F600, 0x1F3B5, 0x10FFFF];
        for (int trial = 0; trial < 50; trial++)
        {
            var sb = new StringBuilder();
            int n = 1 + rng.NextInt(40);
            for (int i = 0; i < n; i++) sb.Append(new Rune(pool[rng.NextInt(pool.Length)]).ToString());
            string text = sb.ToString();
            var vocab = CharVocabulary.Build(text);
            Assert.Equal(text, vocab.Decode(vocab.Encode(text)));
            Assert.Equal(text.EnumerateRunes().Count(), vocab.Encode(text).Length);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CharVocabulary_EmptyText_IsRefused(bool withUnk) =>
        Assert.StartsWith("CharVocabulary.Build: the text is empty; a character vocabulary needs at least one character.",
            Assert.Throws<ArgumentException>(() => CharVocabulary.Build("", withUnk)).Message);

    [Fact]
    public void CharVocabulary_UnknownSymbol_ClosedThrowsOpenMapsToUnk()
    {
        var closed = CharVocabulary.Build("abc");
        var e = Assert.Throws<ArgumentException>(() => closed.Encode("abd"));
        Assert.Contains("U+0064", e.Message);
        Assert.Equal("text", e.ParamName);
        Assert.Equal("symbol", Assert.Throws<ArgumentException>(() => closed.IdOf(new System.Text.Rune('d'))).ParamName);
        // A control or format character (a carriage return, a byte-order mark) is named by its code point only: written
        // out it would move the cursor or print nothing.
        Assert.StartsWith("Character U+000D is not in the vocabulary", Assert.Throws<ArgumentException>(() => closed.Encode("a\r")).Message);
        Assert.StartsWith("Character U+FEFF is not in the vocabulary", Assert.Throws<ArgumentException>(() => closed.Encode("\uFEFFa")).Message);
        Assert.StartsWith("Character 'd' (U+0064) is not in the vocabulary", e.Message);
        var open = CharVocabulary.Build("abc", withUnk: true);
        Assert.Equal([1, 2, 0], open.Encode("abz"));
    }

    [Fact]
    public void CharVocabulary_Json_RoundTrips()
    {
        var vocab = CharVocabulary.Build("周杰伦 🎵\"\\", withUnk: true);
        var back = VocabularyJson.CharFromJson(VocabularyJson.ToJson(vocab));
        Assert.Equal(vocab.Symbols, back.Symbols);
        Assert.Equal(vocab.UnkId, back.UnkId);
    }

    [Fact]
    public void EveryVocabulary_TryGetIdOfTokenOf_GivesBackEveryId()
    {
        // IVocabulary is a bijection between token strings and ids, the unknown slot included.
        IVocabulary[] vocabularies =
        [
            CharVocabulary.Build("héllo 世界 🙂\n"), CharVocabulary.Build("héllo 世界 🙂\n", withUnk: true),
            WordVocabulary.Build(["the cat sat", "on the mat"]), new TokenVocabulary(["<pad>", "<unk>", "a", "b"]),
        ];
        foreach (var vocabulary in vocabularies)
            for (int id = 0; id < vocabulary.Count; id++)
            {
                Assert.True(vocabulary.TryGetId(vocabulary.TokenOf(id), out int back), $"{vocabulary.GetType().Name}: no id for '{vocabulary.TokenOf(id)}'");
                Assert.Equal(id, back);
            }
        Assert.False(CharVocabulary.Build("ab").TryGetId("<unk>", out _));   // a closed vocabulary has no unknown slot
    }

    [Fact]
    public void WordVocabulary_CountsTiesAndLimits_AreDeterministic()
    {
        string[] lines = ["b a c a", "c b d", "e"];
        var vocab = WordVocabulary.Build(lines);
        // a:2 b:2 c:2 d:1 e:1 → ties by ordinal order.
        Assert.Equal(["<unk>", "<eos>", "a", "b", "c", "d", "e"], vocab.Tokens);
        var min2 = WordVocabulary.Build(lines, minCount: 2);
        Assert.Equal(["<unk>", "<eos>", "a", "b", "c"], min2.Tokens);
        var max4 = WordVocabulary.Build(lines, maxSize: 4);
        Assert.Equal(["<unk>", "<eos>", "a", "b"], max4.Tokens);
        Assert.Equal([max4.IdOrUnk("a"), max4.UnkId, max4.EosId], max4.EncodeLine("a zzz"));
    }

    [Fact]
    public void WordVocabulary_EncodeDecode_RoundTripsAndJson()
    {
        string[] lines = ["the cat sat", "on the <unk> mat"];
        var vocab = WordVocabulary.Build(lines);
        int[] ids = vocab.EncodeLine(lines[1]);
        Assert.Equal("on the <unk> mat <eos>", vocab.Decode(ids));
        Assert.Equal(vocab.UnkId, ids[2]);
        var back = VocabularyJson.WordFromJson(VocabularyJson.ToJson(vocab));
        Assert.Equal(vocab.Tokens, back.Tokens);
    }

    [Fact]
    public void WordVocabulary_Ptb_Has10000Types()
    {
        string[] lines = TextFile.ReadLines(SharedData.PathOf("data/ptb/ptb.train.txt"));
        var vocab = WordVocabulary.Build(lines);
        Assert.Equal(10_000, vocab.Count);
    }

    [Fact]
    public void VocabularyJson_WrongKind_Throws()
    {
        string json = VocabularyJson.ToJson(WordVocabulary.Build(["a"]));
        Assert.Throws<TextFormatException>(() => VocabularyJson.CharFromJson(json));
        Assert.Throws<TextFormatException>(() => VocabularyJson.WordFromJson("{not json"));
    }

    [Fact]
    public void Vocabularies_IdOutsideTheVocabulary_ThrowsNamingTheRange()
    {
        var chars = CharVocabulary.Build("abc");
        Assert.Contains("CharVocabulary.Decode: id 7 is outside [0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => chars.Decode([7])).Message);
        Assert.Equal("ids", Assert.Throws<ArgumentOutOfRangeException>(() => chars.Decode([-1])).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentOutOfRangeException>(() => chars.TokenOf(99)).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentOutOfRangeException>(() => chars.TokenOf(-1)).ParamName);   // a closed vocabulary has no <unk> at −1
        var words = WordVocabulary.Build(["a b"]);
        Assert.Contains("TokenVocabulary.TokenOf", Assert.Throws<ArgumentOutOfRangeException>(() => words.TokenOf(4)).Message);
        Assert.Equal("ids", Assert.Throws<ArgumentOutOfRangeException>(() => words.Decode([0, -1])).ParamName);
    }

    [Fact]
    public void WordVocabulary_Build_NullLine_ThrowsNamingTheLine()
    {
        var e = Assert.Throws<ArgumentException>(() => WordVocabulary.Build(["a", null!]));
        Assert.Equal("lines", e.ParamName);
        Assert.Contains("line 2 is null", e.Message);
    }

    [Fact]
    public void WordVocabulary_TokensWithNonBmpCharactersAndQuotes_RoundTripThroughJsonExactly()
    {
        var vocab = WordVocabulary.Build(["🎵 \"quoted\" back\\slash 周杰伦 e\u0301"]);
        var back = VocabularyJson.WordFromJson(VocabularyJson.ToJson(vocab));
        Assert.Equal(vocab.Tokens, back.Tokens);
    }

    // A lone surrogate has no UTF-8 form: a checkpoint or ARPA file would hold U+FFFD in its place, so the vocabulary read back
    // would differ (and two such tokens would read back as one, a duplicate). Every token vocabulary refuses one, as
    // CharVocabulary does, naming where it is.
    [Fact]
    public void ALoneSurrogateInAToken_IsRefused_NamingTheLineOrToken()
    {
        var build = Assert.Throws<ArgumentException>(() => WordVocabulary.Build(["ok", "a\uD800b c"]));
        Assert.Equal("lines", build.ParamName);
        Assert.Contains("line 2", build.Message);
        Assert.Contains("U+D800", build.Message);

        var ctor = Assert.Throws<ArgumentException>(() => new WordVocabulary(["<unk>", "<eos>", "x", "y\uDC00"]));
        Assert.Equal("tokens", ctor.ParamName);
        Assert.Contains("Token 3", ctor.Message);
        Assert.Contains("U+DC00", ctor.Message);

        var ngram = Assert.Throws<ArgumentException>(() => SeqLearn.NGrams.NGramCounts.Count(["a b", "c \uDBFF"], 2));
        Assert.Equal("lines", ngram.ParamName);
        Assert.Contains("line 2", ngram.Message);

        Assert.Equal(["🎵"], WordVocabulary.Build(["🎵"]).Tokens.Skip(2));   // a surrogate pair is one character
    }

    // docs/text.md: words are separated by Unicode's White_Space characters, every one of them, and by nothing else.
    [Fact]
    public void WordVocabulary_SplitsOnEveryUnicodeWhiteSpace_AsDocumented()
    {
        int[] whiteSpace = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
                            0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000];
        for (int c = 0; c <= 0xFFFF; c++)
        {
            if (char.IsSurrogate((char)c)) continue;
            string[] words = TokenVocabulary.Tokenize($"a{(char)c}b");
            Assert.Equal(whiteSpace.Contains(c) ? ["a", "b"] : [$"a{(char)c}b"], words);
        }
        var vocab = WordVocabulary.Build(["", " \t ", "x\u3000y\u00A0z\u001Cw"]);
        Assert.Equal(["<eos>", "<unk>", "x", "y", "z\u001Cw"], vocab.Tokens.Order(StringComparer.Ordinal));
        Assert.Equal([vocab.EosId], vocab.EncodeLine(" \t "));
    }
}
