using SeqLearn.Tests.Checkpoints;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

public class MetricsLogTests
{
    [Fact]
    public void Append_WritesOneFlushedJsonLinePerRecord_AndAppendsAcrossOpens()
    {
        using var tmp = new TempDir("metrics");
        string path = tmp.Combine("metrics.jsonl");
        using (var log = new MetricsLog(path))
        {
            log.Append(new MetricsRecord { Step = 10, Epoch = 1, TrainLoss = 2.5, TrainSteps = 4, LearningRate = 1e-3, TokensPerSecond = 1234.5, ElapsedSeconds = 3.25 });
            // Flushed: readable while the log is still open.
            Assert.Equal("{\"kind\":\"train\",\"step\":10,\"epoch\":1,\"train_loss\":2.5,\"train_steps\":4,\"tokens_per_s\":1234.5,\"lr\":0.001,\"elapsed_s\":3.25}\n",
                File.ReadAllText(path));
        }
        using (var log = new MetricsLog(path))
            log.Append(new MetricsRecord
            {
                Kind = MetricsRecordKind.Evaluation, Step = 20,
                Metrics = new Dictionary<string, double> { ["loss"] = double.NaN, ["ppl"] = double.PositiveInfinity, ["accuracy"] = 0.5 },
            });
        var records = MetricsLog.Read(path);
        Assert.Equal(2, records.Count);
        Assert.Equal(10, records[0].Step);
        Assert.Equal(2.5, records[0].TrainLoss);
        Assert.Null(records[0].ValidLoss);
        Assert.True(double.IsNaN(records[1].ValidLoss!.Value));
        Assert.Equal(MetricsRecordKind.Train, records[0].Kind);
        Assert.Equal(4, records[0].TrainSteps);
        Assert.Equal(MetricsRecordKind.Evaluation, records[1].Kind);
        Assert.Equal(double.PositiveInfinity, records[1].Metrics!["ppl"]);
        Assert.Equal(0.5, records[1].Metrics!["accuracy"]);
    }

    [Fact]
    public void Read_MalformedLine_NamesFileAndLine()
    {
        using var tmp = new TempDir("metrics-bad");
        string path = tmp.Combine("m.jsonl");
        File.WriteAllText(path, "{\"step\":1}\n{\"step\":\n");
        var e = Assert.Throws<FormatException>(() => MetricsLog.Read(path));
        Assert.Contains("m.jsonl:2", e.Message);
    }
}
