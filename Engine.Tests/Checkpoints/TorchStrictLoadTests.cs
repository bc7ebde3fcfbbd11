using System.Diagnostics;
using System.Text.Json;
using SeqLearn.Checkpoints;
using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>
/// A weights file the trainer saved loads into the matching PyTorch module with <c>load_state_dict(strict=True)</c>
/// (scripts/torch_strict_load.py), and PyTorch scores a text as <c>seqlearn eval</c> does.
/// </summary>
public class TorchStrictLoadTests
{
    [Theory]
    [InlineData("char", "lstm", false)]
    [InlineData("word", "gru", true)]
    public void TrainedCheckpoint_LoadsStrictlyIntoPyTorch_AndScoresTheSame(string level, string cell, bool tied)
    {
        using var tmp = new TempDir($"torch-{level}");
        string corpus = tmp.Combine("c.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\nthe dog ran to the cat\n", 20)));
        string[] args = ["train", "--corpus", corpus, "--level", level, "--cell", cell, "--max-steps", "6", "--eval-every", "3", "--batch", "2",
            "--bptt", "8", "--embedding", "8", "--hidden", "8", "--layers", "2", "--threads", "1", "--sample", "0", "--checkpoint", tmp.Combine("run"),
            .. tied ? new[] { "--tie-weights" } : []];
        var error = new StringWriter();
        Assert.True(CliApp.Run(args, new StringWriter(), error) == 0, error.ToString());
        string last = tmp.Combine("run/last");
        Assert.True(File.Exists(Path.Combine(last, Checkpoint.OptimizerFileName)));

        // The strict contract itself: the weights file holds exactly the module's parameters (no optimizer state).
        var config = LanguageModelCheckpoint.Load(last).Model.Config;
        Assert.Equal(config.ParameterShapes().Select(p => p.Name).Order(StringComparer.Ordinal),
            SafeTensorsFile.Read(Path.Combine(last, Checkpoint.WeightsFileName)).Tensors.Select(t => t.Name));
        if (!CheckpointTests.PythonHas("torch, numpy")) return;   // the script needs torch; the contract above is what it checks

        var root = RunStrictLoad(last);
        Assert.True(root.GetProperty("relative_difference").GetDouble() <= 1e-5);
        Assert.True(root.GetProperty("tokens_scored").GetInt32() > 100);
    }

    [Fact]
    public void ClassifierCheckpoint_LoadsStrictlyIntoPyTorch()
    {
        using var tmp = new TempDir("torch-classifier");
        File.WriteAllLines(tmp.Combine("pos.txt"), Enumerable.Range(0, 30).Select(i => $"a fine and warm film number {i % 7}"));
        File.WriteAllLines(tmp.Combine("neg.txt"), Enumerable.Range(0, 30).Select(i => $"a dull and cold film number {i % 5}"));
        var error = new StringWriter();
        Assert.True(CliApp.Run(["classify", "train", "--pos", tmp.Combine("pos.txt"), "--neg", tmp.Combine("neg.txt"), "--embedding", "8",
            "--hidden", "4", "--epochs", "1", "--threads", "1", "--checkpoint", tmp.Combine("clf")], new StringWriter(), error) == 0, error.ToString());
        var model = (SeqLearn.Nn.Sequential<float>)ModelCheckpoint.Load<float>(tmp.Combine("clf")).Model;
        Assert.Equal(model.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal),
            SafeTensorsFile.Read(Path.Combine(tmp.Combine("clf"), Checkpoint.WeightsFileName)).Tensors.Select(t => t.Name));
        if (!CheckpointTests.PythonHas("torch, numpy")) return;   // the script needs torch; the contract above is what it checks

        var (code, stdout, stderr) = RunScript(tmp.Combine("clf"), compare: false);
        Assert.True(code == 0, $"torch_strict_load.py failed: {stdout} {stderr}");
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(0, report.RootElement.GetProperty("strict_load").GetProperty("missing_keys").GetArrayLength());
        Assert.Equal(0, report.RootElement.GetProperty("strict_load").GetProperty("unexpected_keys").GetArrayLength());
        Assert.Contains("2.weight_hh_l0_reverse", report.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
    }

    [Theory]
    [InlineData("bahdanau", "gru", false)]
    [InlineData("luong-general", "lstm", true)]
    public void TranslatorCheckpoint_LoadsStrictlyIntoPyTorch_AndPyTorchAgreesWithEveryGreedyChoice(string attention, string cell, bool feed)
    {
        using var tmp = new TempDir($"torch-s2s-{attention}");
        (string En, string Fr)[] subjects = [("i am", "je suis"), ("you are", "tu es"), ("he is", "il est"), ("we are", "nous sommes")];
        (string En, string Fr)[] words = [("here", "ici"), ("tall", "grand"), ("ready", "prêt"), ("late", "en retard"), ("home", "chez moi")];
        File.WriteAllLines(tmp.Combine("pairs.txt"), subjects.SelectMany(s => words.Select(w => $"{s.En} {w.En} .\t{s.Fr} {w.Fr} .")));
        string[] args = ["translate", "train", "--pairs", tmp.Combine("pairs.txt"), "--attention", attention, "--cell", cell, "--embedding", "8",
            "--hidden", "8", "--layers", "2", "--max-steps", "12", "--eval-every", "6", "--threads", "1", "--checkpoint", tmp.Combine("run"),
            .. feed ? new[] { "--input-feeding" } : []];
        var error = new StringWriter();
        Assert.True(CliApp.Run(args, new StringWriter(), error) == 0, error.ToString());
        string last = tmp.Combine("run/last");
        var model = ModelCheckpoint.Load<float>(last).Model;
        Assert.Equal(model.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal),
            SafeTensorsFile.Read(Path.Combine(last, Checkpoint.WeightsFileName)).Tensors.Select(t => t.Name));
        if (!CheckpointTests.PythonHas("torch, numpy")) return;   // the script needs torch; the contract above is what it checks

        var root = RunStrictLoad(last);
        Assert.True(root.GetProperty("greedy_tokens_checked").GetInt32() >= 80);
    }

    /// <summary>Runs the script (comparing with SeqLearn), asserts a clean strict load and returns its report.</summary>
    private static JsonElement RunStrictLoad(string checkpoint)
    {
        var (code, stdout, stderr) = RunScript(checkpoint);
        Assert.True(code == 0, $"torch_strict_load.py failed: {stdout} {stderr}");
        var root = JsonDocument.Parse(stdout).RootElement.Clone();
        Assert.Equal(0, root.GetProperty("strict_load").GetProperty("missing_keys").GetArrayLength());
        Assert.Equal(0, root.GetProperty("strict_load").GetProperty("unexpected_keys").GetArrayLength());
        return root;
    }

    private static (int Code, string Output, string Error) RunScript(string checkpoint, bool compare = true)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(RepoPaths.Root, "scripts", "torch_strict_load.py"), checkpoint,
            .. compare ? new[] { "--seqlearn", Path.Combine(AppContext.BaseDirectory, "seqlearn.dll") } : []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var proc = Process.Start(psi)!;
        var stderr = proc.StandardError.ReadToEndAsync();
        string stdout = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        return (proc.ExitCode, stdout, stderr.Result);
    }
}
