using System.Globalization;
using System.Text.RegularExpressions;
using SeqLearn.Checkpoints;
using SeqLearn.Cli;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// Divergence a user would call divergence, through the real <c>train</c> command: SGD with a learning rate of 1000, or
/// with momentum 2, stops with an error naming the step, and <c>best</c> is never a diverged model (its validation loss,
/// scored again by <c>eval</c>, is finite and below the bound 10 · ln V).
/// </summary>
public sealed partial class DivergenceCliTests : IDisposable
{
    private static readonly string[] Tiny = ["--batch", "2", "--bptt", "4", "--embedding", "4", "--hidden", "8", "--threads", "1", "--sample", "0"];
    private readonly TempDir _dir = new("cli-diverge");
    private readonly string _corpus, _valid;

    public DivergenceCliTests()
    {
        _corpus = _dir.Combine("c.txt");
        File.WriteAllText(_corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat. the dog sat on the log. ", 40)));
        _valid = _dir.Combine("v.txt");
        File.WriteAllText(_valid, string.Concat(Enumerable.Repeat("the dog sat on the mat. ", 8)));
    }

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"^error: training diverged at step (\d+): the validation loss is [0-9.E+]+ \(above ([0-9.]+), far worse than an untrained model\)")]
    private static partial Regex Diverged();

    // Runs train, asserts the one-line divergence error and returns (the step it names, the bound 10 · ln V).
    private (long Step, double Bound) TrainUntilDiverged(string run, params string[] optimizer)
    {
        var (code, _, error) = Run(["train", "--corpus", _corpus, "--max-steps", "200", "--eval-every", "5", "--checkpoint", run, .. optimizer, .. Tiny]);
        Assert.Equal(1, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        var m = Diverged().Match(error);
        Assert.True(m.Success, error);
        double bound = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(10 * Math.Log(14), bound, 1e-2);   // V = 14 characters
        return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), bound);
    }

    [Fact]
    public void SgdWithLearningRate1000_StopsAtItsFirstEvaluation_AndSavesNoBest()
    {
        string run = _dir.Combine("lr1000");
        var (step, _) = TrainUntilDiverged(run, "--optimizer", "sgd", "--lr", "1000");
        Assert.Equal(5, step);   // the first evaluation already scores far above ln V
        Assert.False(Directory.Exists(Path.Combine(run, "best")), "a diverged model was saved as best");
        Assert.False(Directory.Exists(Path.Combine(run, "last")), "a diverged model was saved as last");
    }

    [Fact]
    public void DivergedFirstEvaluation_IsInTheMetricsLog_WithTheTrainingLossBeforeIt()
    {
        string metrics = _dir.Combine("diverged.jsonl");
        var (code, _, error) = Run(["train", "--corpus", _corpus, "--max-steps", "200", "--eval-every", "5", "--optimizer", "sgd", "--lr", "1000",
            "--metrics", metrics, .. Tiny]);
        Assert.True(code == 1, error);
        var records = MetricsLog.Read(metrics);
        var last = Assert.Single(records);
        Assert.Equal(MetricsRecordKind.Evaluation, last.Kind);
        Assert.Equal(5, last.Step);
        Assert.Equal(5, last.TrainSteps);
        Assert.True(last.Metrics!["loss"] > 10 * Math.Log(14), $"valid loss {last.Metrics["loss"]}");
    }

    [Fact]
    public void SgdWithMomentum2_Stops_AndBestAndLastAreTheLastSoundEvaluation()
    {
        string run = _dir.Combine("momentum2");
        var (step, bound) = TrainUntilDiverged(run, "--optimizer", "sgd", "--lr", "1", "--momentum", "2");
        long best = Checkpoint.Load<float>(Path.Combine(run, "best")).Step, last = Checkpoint.Load<float>(Path.Combine(run, "last")).Step;
        Assert.True(best < step && last == step - 5, $"diverged at {step}, best {best}, last {last}");
        foreach (string kept in new[] { "best", "last" })
        {
            var (code, output, error) = Run("eval", "--checkpoint", Path.Combine(run, kept), "--corpus", _valid);
            Assert.True(code == 0, error);
            double loss = double.Parse(Regex.Match(output, @"Loss \(nats/token\):\t([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(loss < bound, $"{kept}: loss {loss} is above {bound}");
        }
    }
}
