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

    [Fact]
    public void Read_LastRecordCutShortWithoutNewline_IsSkipped_ButACutRecordInsideTheLogIsAnError()
    {
        using var tmp = new TempDir("metrics-torn");
        string path = tmp.Combine("m.jsonl");
        using (var log = new MetricsLog(path))
            for (int step = 1; step <= 3; step++) log.Append(new MetricsRecord { Step = step, TrainLoss = 1.0 / step });
        string whole = File.ReadAllText(path);
        File.WriteAllText(path, whole + "{\"kind\":\"train\",\"step\":4,\"train_lo");   // killed inside the fourth write
        Assert.Equal([1L, 2L, 3L], MetricsLog.Read(path).Select(r => r.Step));
        File.WriteAllText(path, whole + "{\"step\":4}");                                 // complete, only the newline missing
        Assert.Equal([1L, 2L, 3L, 4L], MetricsLog.Read(path).Select(r => r.Step));
        File.WriteAllText(path, "{\"step\":1,\"train_lo\n" + whole);
        Assert.Contains("m.jsonl:1: not a metrics record", Assert.Throws<FormatException>(() => MetricsLog.Read(path)).Message);
        File.WriteAllText(path, "");
        Assert.Empty(MetricsLog.Read(path));
    }

    [Fact]
    public void Read_NumberBeyondDoubleOrInvalidUtf8_IsAnErrorNamingTheLine()
    {
        using var tmp = new TempDir("metrics-range");
        string path = tmp.Combine("m.jsonl");
        File.WriteAllText(path, "{\"step\":1,\"train_loss\":0.5}\n{\"step\":2,\"train_loss\":1e999}\n");
        var e = Assert.Throws<FormatException>(() => MetricsLog.Read(path));
        Assert.Contains("m.jsonl:2: not a metrics record: 'train_loss' is 1e999, beyond the range of a double", e.Message);
        File.WriteAllBytes(path, [.. "{\"step\":1}\n{\"step\":2,\"kind\":\""u8, 0xFF, .. "\"}\n"u8]);
        Assert.Contains("m.jsonl", Assert.Throws<SeqLearn.Text.TextFormatException>(() => MetricsLog.Read(path)).Message);
    }
}
