using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

public sealed class TrainingResultTests
{
    [Fact]
    public void ToString_ShowsTheLossesAndMetricsByValue_NotTheCollectionTypes()
    {
        var result = new TrainingResult(StopReason.TimeBudget, 120, 3, [2.5, 2.25, 2.125], new Dictionary<string, double> { ["loss"] = 1.5, ["bleu"] = 37.05 },
            "bleu", 37.05, 100, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(16.4), 10131.4);
        string text = result.ToString();
        Assert.StartsWith("TrainingResult { Reason = TimeBudget, Steps = 120, Epoch = 3, StepLosses = 3 steps (last 2.125)", text);
        Assert.Contains("FinalMetrics = { loss = 1.5, bleu = 37.05 }", text);
        Assert.Contains("Monitor = bleu, BestMetric = 37.05, BestStep = 100, TrainingTime = 00:05:00", text);
        Assert.EndsWith("TokensPerSecond = 10131 }", text);
        Assert.DoesNotContain("`1", text);
    }
}
