using SeqLearn.Tests.Checkpoints;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// Failures of the commands beside <c>train</c> (a diverged run, a checkpoint that cannot resume or is of another kind, a
/// chart that cannot be drawn) and outputs that name one of the command's inputs: each run exits 1 with exactly one
/// <c>error:</c> line, and the input is left as it was.
/// </summary>
public sealed class FailureModeCliTests : IDisposable
{
    private readonly TempDir _dir = new("cli-failure");
    private readonly string _pairs, _pos, _neg, _csv, _corpus;

    public FailureModeCliTests()
    {
        _pairs = _dir.Combine("pairs.txt");
        File.WriteAllLines(_pairs, Enumerable.Range(0, 60).Select(i => $"Go {i % 20} now.\tVa {i % 20} !"));
        _pos = _dir.Combine("pos.txt");
        File.WriteAllLines(_pos, Enumerable.Range(0, 20).Select(i => $"a good film number{i % 5}"));
        _neg = _dir.Combine("neg.txt");
        File.WriteAllLines(_neg, Enumerable.Range(0, 20).Select(i => $"a bad film number{i % 5}"));
        _csv = _dir.Combine("s.csv");
        File.WriteAllLines(_csv, new[] { "month,v" }.Concat(Enumerable.Range(0, 120).Select(i => $"{2000 + i / 12}-{i % 12 + 1:00},{10 + i + i * 7919 % 101 / 10.0}")));
        _corpus = _dir.Combine("c.txt");
        File.WriteAllText(_corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\nthe dog sat on the log\n", 20)));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Forecast_DivergedModel_IsOneErrorLine_NotAStackTrace() =>
        AssertOneErrorLine(Run("forecast", "--csv", _csv, "--value", "v", "--date", "month", "--protocol", "split:0.8", "--model", "lstm", "--seeds", "1",
            "--hidden", "4", "--max-steps", "20", "--lr", "1e300", "--threads", "1"), "training diverged at step");

    [Fact]
    public void ClassifyTrain_DivergedModel_IsOneErrorLine_NotAStackTrace() =>
        AssertOneErrorLine(Run("classify", "train", "--pos", _pos, "--neg", _neg, "--checkpoint", _dir.Combine("cls"), "--embedding", "4", "--hidden", "4",
            "--max-steps", "5", "--lr", "1e300", "--clip", "0", "--threads", "1"), "training diverged at step");

    [Fact]
    public void TranslateTrain_DivergedModel_IsOneErrorLine_NotAStackTrace() =>
        AssertOneErrorLine(Run("translate", "train", "--pairs", _pairs, "--embedding", "4", "--hidden", "4", "--batch", "4", "--max-steps", "5",
            "--lr", "1e300", "--clip", "0", "--threads", "1"), "training diverged at step");

    [Fact]
    public void TranslateTrain_ResumeWithAnotherOptimizer_IsOneErrorLine_NotAStackTrace()
    {
        string run = _dir.Combine("run");
        string[] tiny = ["--pairs", _pairs, "--embedding", "4", "--hidden", "4", "--batch", "4", "--threads", "1"];
        var first = Run(["translate", "train", .. tiny, "--max-steps", "2", "--checkpoint", run]);
        Assert.True(first.Code == 0, first.Error);
        AssertOneErrorLine(Run(["translate", "train", .. tiny, "--max-steps", "4", "--resume", run, "--optimizer", "sgd"]),
            "the checkpoint cannot resume this training run: it was trained with Adam");
    }

    // A checkpoint of the other model kind: each error names the checkpoint and the kind it holds.
    [Fact]
    public void CheckpointOfAnotherModelKind_NamesTheCheckpointAndItsKind()
    {
        string translation = _dir.Combine("translation"), language = _dir.Combine("language");
        var first = Run("translate", "train", "--pairs", _pairs, "--embedding", "4", "--hidden", "4", "--batch", "4", "--max-steps", "2",
            "--threads", "1", "--checkpoint", translation);
        Assert.True(first.Code == 0, first.Error);
        var second = Run("train", "--corpus", _corpus, "--embedding", "4", "--hidden", "4", "--batch", "2", "--bptt", "4", "--max-steps", "2",
            "--sample", "0", "--threads", "1", "--checkpoint", language);
        Assert.True(second.Code == 0, second.Error);
        AssertOneErrorLine(Run("train", "--corpus", _corpus, "--resume", translation, "--max-steps", "4", "--sample", "0"),
            $"{Path.Combine(translation, "last", "checkpoint.json")}: model config: type 'seq2seq' is not 'recurrent_lm' (a language model written by 'seqlearn train'): this checkpoint holds another kind of model.");
        AssertOneErrorLine(Run("translate", "--checkpoint", language, "Go."), "holds a 'recurrent_lm' model, not a translation model");
        // generate and eval given a translation run name the kind and the command that reads it
        string best = Path.Combine(translation, "best", "checkpoint.json");
        AssertOneErrorLine(Run("generate", "--checkpoint", translation, "--length", "3"),
            $"{best}: the checkpoint holds a 'seq2seq' model, not a language model ('recurrent_lm', written by 'seqlearn train'): a translation model, which 'seqlearn translate --checkpoint' reads.");
        AssertOneErrorLine(Run("eval", "--checkpoint", translation, "--corpus", _corpus),
            $"{best}: the checkpoint holds a 'seq2seq' model, not a language model");
    }

    [Fact]
    public void Plot_ValuesSpanningMoreThanADouble_IsOneErrorLine_AndWritesNothing()
    {
        string log = _dir.Combine("m.jsonl"), chart = _dir.Combine("m.svg");
        File.WriteAllLines(log, ["{\"kind\":\"eval\",\"step\":1,\"train_loss\":1e308}", "{\"kind\":\"eval\",\"step\":2,\"train_loss\":-1e308}"]);
        AssertOneErrorLine(Run("plot", "--metrics", log, "--out", chart), "--out");
        Assert.False(File.Exists(chart));
    }

    // Values too large to be scored in doubles are refused when read, by the line of the largest, before the chart is drawn.
    [Fact]
    public void ForecastPlot_ValuesSpanningMoreThanADouble_IsOneErrorLine()
    {
        string csv = _dir.Combine("extreme.csv");
        File.WriteAllLines(csv, new[] { "month,v" }.Concat(Enumerable.Range(0, 120).Select(i => $"{2000 + i / 12}-{i % 12 + 1:00},{(i % 2 == 0 ? "-1e308" : "1e308")}")));
        AssertOneErrorLine(Run("forecast", "--csv", csv, "--value", "v", "--date", "month", "--protocol", "split:0.8", "--model", "none",
            "--ar-order", "1", "--plot", _dir.Combine("f.svg")), $"{csv}:2: value -1E+308 in column 'v' is too large to forecast");
        Assert.False(File.Exists(_dir.Combine("f.svg")));
    }

    [Fact]
    public void NGramTrain_ArpaIsTheCorpus_IsRefused_AndTheCorpusKept()
    {
        string before = File.ReadAllText(_corpus);
        AssertOneErrorLine(Run("ngram", "train", "--corpus", _corpus, "--arpa", _corpus), "--arpa");
        Assert.Equal(before, File.ReadAllText(_corpus));
    }

    [Fact]
    public void NGramTrain_ArpaIsALinkToTheCorpus_IsRefused_AndTheCorpusKept()
    {
        string link = _dir.Combine("link.txt"), before = File.ReadAllText(_corpus);
        try { File.CreateSymbolicLink(link, _corpus); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }   // no symbolic links on this system
        AssertOneErrorLine(Run("ngram", "train", "--corpus", _corpus, "--arpa", link), "--arpa");
        Assert.Equal(before, File.ReadAllText(_corpus));
    }

    [Fact]
    public void TranslateEval_OutputIsThePairs_IsRefused_AndThePairsKept()
    {
        string before = File.ReadAllText(_pairs);
        AssertOneErrorLine(Run("translate", "eval", "--pairs", _pairs, "--baseline", "memory", "--output", _pairs), "--output");
        Assert.Equal(before, File.ReadAllText(_pairs));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("translate")]
    [InlineData("classify")]
    public void Metrics_IsAnInputFile_IsRefused_AndTheInputKept(string command)
    {
        (string[] args, string input) = command switch
        {
            "train" => (new[] { "train", "--corpus", _corpus, "--max-steps", "1", "--metrics", _corpus }, _corpus),
            "translate" => (["translate", "train", "--pairs", _pairs, "--max-steps", "1", "--metrics", _pairs], _pairs),
            _ => (["classify", "cv", "--pos", _pos, "--neg", _neg, "--model", "rnn", "--metrics", _neg], _neg),
        };
        string before = File.ReadAllText(input);
        AssertOneErrorLine(Run(args), "--metrics");
        Assert.Equal(before, File.ReadAllText(input));
    }

    [Theory]
    [InlineData("translate")]
    [InlineData("classify")]
    [InlineData("plot")]
    public void InputIsADirectory_SaysSo_NotNotFoundOrAccessDenied(string command)
    {
        string folder = _dir.Combine("folder");
        Directory.CreateDirectory(folder);
        string[] args = command switch
        {
            "translate" => ["translate", "eval", "--pairs", folder, "--baseline", "memory"],
            "classify" => ["classify", "cv", "--data", folder],
            _ => ["plot", "--metrics", folder, "--out", _dir.Combine("p.png")],
        };
        AssertOneErrorLine(Run(args), "is a directory");
    }
}
