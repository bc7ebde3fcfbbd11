using SeqLearn.Tests.Checkpoints;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// Outputs and checkpoints that must stay apart: an output written into a checkpoint being read, resumed or written, a
/// training run into a directory holding another kind of model, a per-fold or per-member metrics log that is an input
/// file, and a metrics log in a folder that does not exist yet. Each refusal is one <c>error:</c> line, and the files
/// refused are left as they were.
/// </summary>
public sealed class CheckpointOutputCliTests : IDisposable
{
    private readonly TempDir _dir = new("cli-checkpoint-output");
    private readonly string _pairs, _corpus, _data;

    public CheckpointOutputCliTests()
    {
        _pairs = _dir.Combine("pairs.txt");
        File.WriteAllLines(_pairs, Enumerable.Range(0, 60).Select(i => $"Go {i % 20} now.\tVa {i % 20} !"));
        _corpus = _dir.Combine("c.txt");
        File.WriteAllText(_corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\nthe dog sat on the log\n", 20)));
        _data = _dir.Combine("data.tsv");
        File.WriteAllLines(_data, Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"pos\ta good film number{i % 5}" : $"neg\ta bad film number{i % 5}"));
    }

    public void Dispose() => _dir.Dispose();

    private static readonly string[] TinyTranslation = ["--embedding", "4", "--hidden", "4", "--batch", "4", "--threads", "1"];
    private static readonly string[] TinyLanguageModel = ["--embedding", "4", "--hidden", "4", "--batch", "2", "--bptt", "4", "--sample", "0", "--threads", "1"];
    private static readonly string[] TinyClassifier = ["--embedding", "4", "--hidden", "4", "--max-steps", "2", "--threads", "1"];

    private string Translation(string name)
    {
        string run = _dir.Combine(name);
        var r = Run(["translate", "train", "--pairs", _pairs, .. TinyTranslation, "--max-steps", "2", "--checkpoint", run]);
        Assert.True(r.Code == 0, r.Error);
        return run;
    }

    private string LanguageModel(string name)
    {
        string run = _dir.Combine(name);
        var r = Run(["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "2", "--eval-every", "2", "--checkpoint", run]);
        Assert.True(r.Code == 0, r.Error);
        return run;
    }

    private string Classifier(string name, int members)
    {
        string dir = _dir.Combine(name);
        var r = Run(["classify", "train", "--data", _data, .. TinyClassifier, "--ensemble", $"{members}", "--checkpoint", dir]);
        Assert.True(r.Code == 0, r.Error);
        return dir;
    }

    // Every file under a directory with its bytes: the directory is unchanged when these are.
    private static Dictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => Convert.ToBase64String(File.ReadAllBytes(f)));

    [Theory]
    [InlineData("run/best/checkpoint.json", "run")]
    [InlineData("run/last/weights.safetensors", "run")]
    [InlineData("run/best/out.tsv", "run/best")]
    [InlineData("run/lock", "run")]
    public void TranslateEval_OutputInsideTheCheckpointItReads_IsRefused_AndTheCheckpointKept(string output, string checkpoint)
    {
        string run = Translation("run"), target = _dir.Combine(output);
        var before = Snapshot(run);
        string line = AssertOneErrorLine(Run("translate", "eval", "--pairs", _pairs, "--checkpoint", _dir.Combine(checkpoint), "--output", target), "--output");
        Assert.Contains("--checkpoint", line);
        Assert.Contains(target, line);
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void Translate_AttentionPlotInsideTheCheckpoint_IsRefused_AndAPlotBesideItIsWritten()
    {
        string run = Translation("run");
        var before = Snapshot(run);
        string inside = Path.Combine(run, "best", "a.svg");
        string line = AssertOneErrorLine(Run("translate", "--checkpoint", run, "--attention-plot", inside, "Go 1 now."), "--attention-plot");
        Assert.Contains("--checkpoint", line);
        Assert.Equal(before, Snapshot(run));
        var beside = Run("translate", "--checkpoint", run, "--attention-plot", Path.Combine(run, "a.svg"), "Go 1 now.");
        Assert.True(beside.Code == 0, beside.Error);
    }

    [Theory]
    [InlineData("train", "--resume", "last/checkpoint.json")]
    [InlineData("train", "--checkpoint", "best/metrics.jsonl")]
    [InlineData("train", "--checkpoint", "lock")]
    [InlineData("translate", "--resume", "best/checkpoint.json")]
    [InlineData("translate", "--checkpoint", "last/metrics.jsonl")]
    public void Metrics_InsideTheResumedOrWrittenCheckpoint_IsRefused_AndTheCheckpointKept(string command, string option, string metrics)
    {
        string run = command == "train" ? LanguageModel("run") : Translation("run"), log = Path.Combine(run, metrics);
        var before = Snapshot(run);
        string[] args = command == "train"
            ? ["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "4", "--eval-every", "2"]
            : ["translate", "train", "--pairs", _pairs, .. TinyTranslation, "--max-steps", "4"];
        string line = AssertOneErrorLine(Run([.. args, "--resume", run, .. option == "--checkpoint" ? ["--checkpoint", run] : Array.Empty<string>(), "--metrics", log]), "--metrics");
        Assert.Contains(option, line);
        Assert.Equal(before, Snapshot(run));
    }

    // docs/lm.md: the log beside the checkpoints of the run it records, continued by the resumed run.
    [Fact]
    public void Metrics_BesideTheCheckpoints_OfAResumedRun_IsAppendedTo()
    {
        string run = LanguageModel("run"), log = Path.Combine(run, "metrics.jsonl");
        var r = Run(["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "4", "--eval-every", "2", "--resume", run, "--checkpoint", run, "--metrics", log]);
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains(4L, SeqLearn.Training.MetricsLog.Read(log).Select(x => x.Step));
    }

    [Theory]
    [InlineData("train", "translation", "holds a translation model")]
    [InlineData("train", "classifier", "is itself a checkpoint (a sentence classifier")]
    [InlineData("train", "ensemble", "is itself a checkpoint (a sentence classifier ensemble")]
    [InlineData("translate", "language", "holds a language model")]
    [InlineData("translate", "classifier", "is itself a checkpoint (a sentence classifier")]
    [InlineData("classify", "language", "holds a language model")]
    [InlineData("classify", "translation", "holds a translation model")]
    public void Training_IntoADirectoryHoldingAnotherModelKind_IsRefusedBeforeTraining_AndItIsKept(string command, string holds, string message)
    {
        string dir = holds switch
        {
            "translation" => Translation("held"),
            "language" => LanguageModel("held"),
            "classifier" => Classifier("held", 1),
            _ => Classifier("held", 2),
        };
        var before = Snapshot(dir);
        string[] args = command switch
        {
            "train" => ["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "2"],
            "translate" => ["translate", "train", "--pairs", _pairs, .. TinyTranslation, "--max-steps", "2"],
            _ => ["classify", "train", "--data", _data, .. TinyClassifier],
        };
        var r = Run([.. args, "--checkpoint", dir]);
        string line = AssertOneErrorLine(r, message);
        Assert.Contains($"--checkpoint {dir}", line);
        Assert.DoesNotContain("step", r.Output);   // refused before any training
        Assert.Equal(before, Snapshot(dir));
    }

    // The same kind again without --resume replaces the run's checkpoints (docs/training.md), as before.
    [Fact]
    public void Training_IntoADirectoryOfTheSameKind_ReplacesItsCheckpoints()
    {
        string run = LanguageModel("run");
        var r = Run(["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "4", "--eval-every", "2", "--checkpoint", run]);
        Assert.True(r.Code == 0, r.Error);
    }

    [Theory]
    [InlineData("cv", 1, "d.fold1.tsv")]
    [InlineData("cv", 2, "d.fold0.member1.tsv")]
    [InlineData("train", 2, "d.member1.tsv")]
    public void ClassifyMetrics_AFoldOrMemberLogIsTheData_IsRefused_AndTheDataKept(string command, int members, string dataName)
    {
        string data = _dir.Combine(dataName), before = File.ReadAllText(_data);
        File.Copy(_data, data);
        string[] args = command == "cv"
            ? ["classify", "cv", "--data", data, "--model", "rnn", "--folds", "2", "--ensemble", $"{members}", .. TinyClassifier]
            : ["classify", "train", "--data", data, "--ensemble", $"{members}", "--checkpoint", _dir.Combine("cls"), .. TinyClassifier];
        string line = AssertOneErrorLine(Run([.. args, "--metrics", _dir.Combine("d.tsv")]), "--data");
        Assert.Contains($"--metrics {_dir.Combine("d.tsv")}", line);
        Assert.Equal(before, File.ReadAllText(data));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("translate")]
    [InlineData("classify")]
    public void Metrics_InAFolderThatDoesNotExist_IsCreated(string command)
    {
        string log = _dir.Combine(Path.Combine("new", "logs", "m.jsonl")), run = _dir.Combine("run");
        string[] args = command switch
        {
            "train" => ["train", "--corpus", _corpus, .. TinyLanguageModel, "--max-steps", "2", "--checkpoint", run],
            "translate" => ["translate", "train", "--pairs", _pairs, .. TinyTranslation, "--max-steps", "2", "--checkpoint", run],
            _ => ["classify", "train", "--data", _data, .. TinyClassifier, "--checkpoint", run],
        };
        var r = Run([.. args, "--metrics", log]);
        Assert.True(r.Code == 0, r.Error);
        Assert.NotEmpty(SeqLearn.Training.MetricsLog.Read(log));
    }
}
