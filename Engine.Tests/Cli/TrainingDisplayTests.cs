using SeqLearn.Cli;
using SeqLearn.Training;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// The training display prints every duration as hours:minutes:seconds with the hours unbounded, so an ETA or a run of a
/// day and more keeps its days (33 h is 33:06:31, not 09:06:31).
/// </summary>
public sealed class TrainingDisplayTests
{
    private static readonly TimeSpan ThirtyThreeHours = new(1, 9, 6, 31, 400);   // 1 day 9 h 6 min 31.4 s

    [Theory]
    [InlineData(0, "0:00:00")]
    [InlineData(7.9, "0:00:07")]                  // whole seconds, truncated
    [InlineData(3599, "0:59:59")]
    [InlineData(36_000, "10:00:00")]
    [InlineData(119_191.4, "33:06:31")]
    [InlineData(30 * 86_400 + 61, "720:01:01")]
    [InlineData(-5, "0:00:00")]
    public void Duration_CountsWholeDaysInTheHours(double seconds, string expected) =>
        Assert.Equal(expected, TrainingDisplay.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void EvaluationLine_PrintsElapsedAndEtaWithTheirDays()
    {
        var output = new StringWriter();
        var progress = new TrainingProgress(ProgressKind.Evaluation, 1_000, 2, 3, 490, 1.5, new Dictionary<string, double> { ["loss"] = 1.6 },
            "loss", 1.6, 0.002, 20_000, ThirtyThreeHours + TimeSpan.FromHours(2), 0.5, ThirtyThreeHours);
        new TrainingDisplay(output, interactive: false).Report(progress);
        string line = output.ToString();
        Assert.EndsWith(" | 35:06:31 | eta 33:06:31" + Environment.NewLine, line);
        Assert.DoesNotContain("09:06:31", line);
    }

    [Fact]
    public void Summary_PrintsTrainingEvaluationAndStepTimeInTheSameForm()
    {
        var output = new StringWriter();
        var result = new TrainingResult(StopReason.TimeBudget, 5_000, 3, [], new Dictionary<string, double> { ["loss"] = 1.6 }, "loss", 1.55, 4_000,
            ThirtyThreeHours, TimeSpan.FromSeconds(75), 20_000);
        var timings = new StepTimings(TimeSpan.FromHours(20), TimeSpan.FromHours(12), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(36.5));
        new TrainingDisplay(output, interactive: false).Summary(result, new TrainingOptions { TimeBudget = TimeSpan.FromDays(2) }, timings);
        string text = output.ToString();
        Assert.Contains("training 33:06:31, evaluation 0:01:15, 20,000 tokens/s", text);
        Assert.Contains(" of 33:06:30", text);
    }
}
