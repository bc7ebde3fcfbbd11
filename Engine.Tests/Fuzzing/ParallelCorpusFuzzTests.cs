using SeqLearn.Text;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// <see cref="ParallelCorpus.Read"/> under mutated sentence-pair files: each input is a <see cref="TextFormatException"/>
/// naming the file and line (or saying the file is empty), or valid UTF-8 whose pairs have two non-empty normalised sides.
/// </summary>
public class ParallelCorpusFuzzTests(ITestOutputHelper output)
{
    internal static FuzzTarget Target() => new()
    {
        Reader = "pairs",
        FileName = "pairs.txt",
        Seeds = [FuzzSeeds.Head("data/translation/fra-eng-30k.txt", 40),
                 FuzzSeeds.Utf8("\uFEFFHi.\tSalut.\tCC-BY 2.0 (France)\r\nI'm OK.\tÇa va\u202f!\r\nWait...\tAttends\u00a0!\n")],
        Parse = c => ParallelCorpus.Read(c.Path),
        IsFormatError = e => e is TextFormatException,
        NamesLocation = (c, e) => FuzzSeeds.NamesLine(c.Path, e.Message, "the file is empty."),
        CheckAccepted = (c, result) =>
        {
            string text = FuzzSeeds.RequireUtf8(c.Bytes);
            var pairs = (IReadOnlyList<TranslationPair>)result;
            int lines = TextFile.SplitLines(text).Length, previous = 0;
            foreach (var p in pairs)
            {
                foreach (string side in new[] { p.Source, p.Target })
                    if (side.Length == 0 || side != string.Join(' ', FraEngText.Tokenize(side)) || side.Contains('\t'))
                        throw new FuzzInvariantException($"line {p.Line}: side '{side}' is empty or not normalised");
                if (p.Line <= previous || p.Line > lines) throw new FuzzInvariantException($"pair line {p.Line} after {previous} in {lines} lines");
                previous = p.Line;
            }
            if (pairs.Count != lines) throw new FuzzInvariantException($"{pairs.Count} pairs from {lines} lines");
        },
    };

    [Fact]
    public void MutatedSentencePairs_AreFormatErrorsNamingTheLine_OrNormalisedPairs() => FuzzHarness.Run(Target(), output);
}
