using System.Text;
using SeqLearn.Classification;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// <see cref="SentenceFiles.ReadTabSeparated"/> (<c>label&lt;TAB&gt;text</c>) and <see cref="SentenceFiles.ReadPolarity"/>
/// under mutated files: each input is a <see cref="FormatException"/> naming the file and line (or saying the file has no
/// lines), or valid UTF-8 whose sentences all have tokens and labels in range.
/// </summary>
public class LabeledTextFuzzTests(ITestOutputHelper output)
{
    private static byte[] Labelled()
    {
        var pos = Encoding.UTF8.GetString(FuzzSeeds.Head("data/sentiment/rt-polarity.pos", 15)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var neg = Encoding.UTF8.GetString(FuzzSeeds.Head("data/sentiment/rt-polarity.neg", 15)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var text = new StringBuilder();
        for (int i = 0; i < pos.Length; i++) text.Append("pos\t").Append(pos[i]).Append('\n').Append(" neg \t").Append(neg[i]).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    internal static FuzzTarget TabSeparatedTarget() => new()
    {
        Reader = "labelled",
        FileName = "labelled.tsv",
        Seeds = [Labelled(), FuzzSeeds.Utf8("\uFEFFsport\tthe match ended 2 – 1\r\npolitics\tvote on tuesday\textra\r\nmusic\tjay chou 周杰伦 new album\r\n")],
        Parse = c => SentenceFiles.ReadTabSeparated(c.Path, c.Index % 2 == 0 ? LabelOrder.FirstSeen : LabelOrder.Sorted),
        IsFormatError = e => e is FormatException,
        NamesLocation = (c, e) => FuzzSeeds.NamesLine(c.Path, e.Message, "the file has no lines."),
        CheckAccepted = (c, result) => Check(c, (LabeledSentences)result),
    };

    // The positive file mutated; the negative one fixed beside it.
    internal static FuzzTarget PolarityTarget()
    {
        byte[] neg = FuzzSeeds.Head("data/sentiment/rt-polarity.neg", 10);
        return new FuzzTarget
        {
            Reader = "polarity",
            FileName = "rt-polarity.pos",
            Seeds = [FuzzSeeds.Head("data/sentiment/rt-polarity.pos", 30)],
            Materialise = c =>
            {
                File.WriteAllBytes(c.Path, c.Bytes);
                File.WriteAllBytes(c.Path[..^3] + "neg", neg);
            },
            Parse = c => SentenceFiles.ReadPolarity(c.Path, c.Path[..^3] + "neg"),
            IsFormatError = e => e is FormatException,
            NamesLocation = (c, e) => FuzzSeeds.NamesLine(c.Path, e.Message),
            CheckAccepted = (c, result) => Check(c, (LabeledSentences)result),
        };
    }

    [Fact]
    public void MutatedLabelledText_IsAFormatErrorNamingTheLine_OrLabelledSentences() => FuzzHarness.Run(TabSeparatedTarget(), output);

    [Fact]
    public void MutatedPolarityFiles_AreFormatErrorsNamingTheLine_OrLabelledSentences() => FuzzHarness.Run(PolarityTarget(), output);

    private static void Check(FuzzCase c, LabeledSentences set)
    {
        FuzzSeeds.RequireUtf8(c.Bytes);
        for (int i = 0; i < set.Count; i++)
        {
            if (set.Labels[i] < 0 || set.Labels[i] >= set.ClassCount) throw new FuzzInvariantException($"sentence {i} has label {set.Labels[i]}");
            if (set.Sentences[i].Length == 0 || set.Sentences[i].Any(t => t.Length == 0 || t.Any(char.IsWhiteSpace)))
                throw new FuzzInvariantException($"sentence {i} has an empty or blank token");
        }
        if (set.ClassNames.Any(n => n.Length == 0 || n != n.Trim())) throw new FuzzInvariantException("a class name is empty or untrimmed");
    }
}
