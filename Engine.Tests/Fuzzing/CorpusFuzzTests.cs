using System.Text.RegularExpressions;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// Language-model corpora (<see cref="TextFile.ReadAllText"/>, then the character and word vocabularies built and
/// applied as <c>train</c> does) under mutated text: each input is a <see cref="TextFormatException"/> naming the file
/// and the byte offset (or saying the file is empty), or valid UTF-8 that encodes and decodes back to itself.
/// </summary>
public class CorpusFuzzTests(ITestOutputHelper output)
{
    private sealed record Read(string Text, CharVocabulary Chars, int[] CharIds, WordVocabulary Words, string[] Lines, int[] WordIds);

    internal static FuzzTarget Target() => new()
    {
        Reader = "corpus",
        FileName = "corpus.txt",
        Seeds = [FuzzSeeds.Head("data/ptb/ptb.train.txt", 30), FuzzSeeds.Head("data/jaychou/jaychou_lyrics.txt", 40), FuzzSeeds.Head("data/timemachine/timemachine.txt", 40),
                 FuzzSeeds.Utf8("Grüße, 世界! 👋🏽 tab\there\r\nthe end\n")],
        Parse = c =>
        {
            string text = TextFile.ReadAllText(c.Path);
            var chars = CharVocabulary.Build(text);
            string[] lines = TextFile.SplitLines(text);
            var words = WordVocabulary.Build(lines);
            return new Read(text, chars, chars.Encode(text), words, lines, words.EncodeLines(lines));
        },
        IsFormatError = e => e is TextFormatException,
        NamesLocation = (c, e) => Regex.IsMatch(e.Message, $"^{Regex.Escape(c.Path)}: invalid UTF-8 at byte offset \\d+ ") || e.Message == $"{c.Path}: the file is empty.",
        CheckAccepted = (c, result) =>
        {
            var r = (Read)result;
            if (r.Text != FuzzSeeds.RequireUtf8(c.Bytes)) throw new FuzzInvariantException("the text differs from the file's UTF-8 decoding");
            if (r.Chars.Decode(r.CharIds) != r.Text) throw new FuzzInvariantException("the character ids do not decode to the text");
            int tokens = r.Lines.Sum(l => TokenVocabulary.Tokenize(l).Length);
            if (r.WordIds.Length != tokens + r.Lines.Length || r.WordIds.Any(id => id < 0 || id >= r.Words.Count))
                throw new FuzzInvariantException($"{r.WordIds.Length} word ids for {tokens} tokens on {r.Lines.Length} lines");
        },
    };

    [Fact]
    public void MutatedCorpora_AreFormatErrorsNamingTheOffset_OrTextThatRoundTrips() => FuzzHarness.Run(Target(), output);
}
