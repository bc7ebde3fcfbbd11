using System.Text;
using SeqLearn.Tests.Checkpoints;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>A classifier and a translator, each trained for a few steps on toy data, shared by <see cref="StandardInputCliTests"/>.</summary>
public sealed class SentenceCommandCheckpoints : IDisposable
{
    private readonly TempDir _dir = new("cli-stdin");

    public SentenceCommandCheckpoints()
    {
        string pos = _dir.Combine("pos.txt"), neg = _dir.Combine("neg.txt"), pairs = _dir.Combine("pairs.txt");
        File.WriteAllLines(pos, Enumerable.Range(0, 20).Select(i => $"a good film number{i % 5}"));
        File.WriteAllLines(neg, Enumerable.Range(0, 20).Select(i => $"a bad film number{i % 5}"));
        File.WriteAllLines(pairs, Enumerable.Range(0, 60).Select(i => $"Go {i % 20} now.\tVa {i % 20} !"));
        Classifier = _dir.Combine("cls");
        Translator = _dir.Combine("tr");
        var classify = Run("classify", "train", "--pos", pos, "--neg", neg, "--checkpoint", Classifier, "--embedding", "4", "--hidden", "4",
            "--max-steps", "2", "--threads", "1");
        Assert.True(classify.Code == 0, classify.Error);
        var translate = Run("translate", "train", "--pairs", pairs, "--embedding", "8", "--hidden", "8", "--batch", "4", "--max-steps", "2",
            "--eval-every", "2", "--threads", "1", "--checkpoint", Translator);
        Assert.True(translate.Code == 0, translate.Error);
    }

    public string Classifier { get; }

    public string Translator { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// The sentences of <c>classify predict</c> and <c>translate</c>: standard input is read as strictly as a file (invalid
/// UTF-8 named by line, a BOM skipped, empty input refused), and a blank argument is refused rather than processed.
/// </summary>
public sealed class StandardInputCliTests(SentenceCommandCheckpoints checkpoints) : IClassFixture<SentenceCommandCheckpoints>
{
    private string[] Command(string command) => command == "classify"
        ? ["classify", "predict", "--checkpoint", checkpoints.Classifier, "--threads", "1"]
        : ["translate", "--checkpoint", checkpoints.Translator];

    public static TheoryData<string, string, string> Refused => new()
    {
        // command, standard input (\xNN = that byte) or "arg:" and the arguments split at '|', expected in the error line
        { "classify", "good film\n\xff\xfe bad\n", "error: standard input:2: invalid UTF-8 at byte 1 of the line (byte offset 10, 0xFF)" },
        { "translate", "Go 1 now.\n\xff\xfe bad\n", "error: standard input:2: invalid UTF-8 at byte 1 of the line (byte offset 10, 0xFF)" },
        { "classify", "", "error: standard input: the input is empty." },
        { "translate", "", "error: standard input: the input is empty." },
        { "translate", "\xef\xbb\xbf", "error: standard input: the input is empty." },
        { "classify", "\n  \n", "no sentences to classify" },
        { "translate", "\r\n \t\n", "no sentences to translate" },
        { "classify", "arg:", "sentence argument 1 of 1 is empty" },
        { "translate", "arg:", "sentence argument 1 of 1 is empty" },
        { "classify", "arg:good film|  ", "sentence argument 2 of 2 is blank" },
        { "translate", "arg:Go 1 now.| ", "sentence argument 2 of 2 is blank" },
        // an unknown option reaches the sentences: refused, not classified or translated as text
        { "classify", "arg:--input|pos.txt", "error: '--input' is not an option of 'classify predict'; to classify a sentence that starts with '-', give it after '--'." },
        { "translate", "arg:Go 1 now.|-x", "error: '-x' is not an option of 'translate'; to translate a sentence that starts with '-', give it after '--'." },
    };

    [Theory]
    [InlineData("classify")]
    [InlineData("translate")]
    public void SentencesAfterDoubleDash_AndNumbers_AreSentences(string command)
    {
        var r = RunWithInput([], [.. Command(command), "-1", "- go", "--", "-go"]);
        Assert.True(r.Code == 0, r.Error);
        Assert.Equal(3, r.Output.TrimEnd().Split('\n').Length);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void BadSentences_OneErrorLine(string command, string input, string expected)
    {
        var r = input.StartsWith("arg:", StringComparison.Ordinal)
            ? RunWithInput([], [.. Command(command), .. input["arg:".Length..].Split('|')])
            : RunWithInput(Latin1(input), Command(command));
        Assert.Equal("", r.Output);
        AssertOneErrorLine(r, expected);
    }

    [Theory]
    [InlineData("classify", "a good film number1\r\n\r\na bad film number2\n")]
    [InlineData("translate", "Go 1 now.\r\n\r\nGo 2 now.\n")]
    public void Bom_IsSkipped_AndLinesAreTheArguments(string command, string input)
    {
        var plain = RunWithInput(Encoding.UTF8.GetBytes(input), Command(command));
        var withBom = RunWithInput([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(input)], Command(command));
        var asArguments = RunWithInput([], [.. Command(command), .. input.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)]);
        Assert.True(plain.Code == 0, plain.Error);
        Assert.Equal(2, plain.Output.TrimEnd().Split('\n').Length);
        Assert.Equal(plain, withBom);
        Assert.Equal(plain, asArguments);
    }

    // Each char of s as the byte of its code (the table spells invalid UTF-8 bytes as \xNN).
    private static byte[] Latin1(string s) => [.. s.Select(c => (byte)c)];
}
