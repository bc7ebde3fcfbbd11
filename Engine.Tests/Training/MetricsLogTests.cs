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

    // A line that is JSON but not a record names what is wrong with it, not .NET's KeyNotFoundException or JsonElement types.
    [Theory]
    [InlineData("{\"kind\":\"eval\",\"train_loss\":1}", "m.jsonl:2: not a metrics record: no 'step'")]
    [InlineData("{\"step\":\"x\"}", "m.jsonl:2: not a metrics record: 'step' is \"x\", expected a whole number")]
    [InlineData("{\"step\":1.5}", "m.jsonl:2: not a metrics record: 'step' is 1.5, expected a whole number")]
    [InlineData("{\"step\":1,\"epoch\":\"one\"}", "m.jsonl:2: not a metrics record: 'epoch' is \"one\", expected a whole number")]
    [InlineData("{\"step\":1,\"train_steps\":3000000000}", "m.jsonl:2: not a metrics record: 'train_steps' is 3000000000, expected a whole number in [0, 2147483647]")]
    [InlineData("{\"step\":1,\"kind\":3}", "m.jsonl:2: not a metrics record: 'kind' is 3, expected \"train\" or \"eval\"")]
    [InlineData("[1,2]", "m.jsonl:2: not a metrics record: expected a JSON object, got array [1,2]")]
    [InlineData("used as a log", "m.jsonl:2: not a metrics record: not valid JSON at byte 0 of the line")]
    public void Read_LineThatIsNoRecord_NamesTheLineAndWhatIsWrong(string line, string expected)
    {
        using var tmp = new TempDir("metrics-field");
        string path = tmp.Combine("m.jsonl");
        File.WriteAllText(path, "{\"step\":1}\n" + line + "\n");
        string message = Assert.Throws<FormatException>(() => MetricsLog.Read(path)).Message;
        Assert.Contains(expected, message);
        Assert.DoesNotContain("LineNumber", message);
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
    public void Open_AfterACutOffLastRecord_DropsIt_SoTheNextRecordStartsItsOwnLine()
    {
        using var tmp = new TempDir("metrics-reopen");
        string path = tmp.Combine("m.jsonl");
        using (var log = new MetricsLog(path))
            for (int step = 1; step <= 3; step++) log.Append(new MetricsRecord { Step = step, TrainLoss = 1.0 / step });
        string whole = File.ReadAllText(path);
        File.WriteAllText(path, whole + "{\"kind\":\"train\",\"step\":4,\"train_lo");   // killed inside the fourth write
        using (var log = new MetricsLog(path)) log.Append(new MetricsRecord { Step = 4, TrainLoss = 0.25 });
        Assert.Equal([1L, 2L, 3L, 4L], MetricsLog.Read(path).Select(r => r.Step));
        Assert.EndsWith("\n", File.ReadAllText(path));

        File.WriteAllText(path, whole + "{\"step\":4}");                                 // whole, only its newline missing: kept
        using (var log = new MetricsLog(path)) log.Append(new MetricsRecord { Step = 5 });
        Assert.Equal([1L, 2L, 3L, 4L, 5L], MetricsLog.Read(path).Select(r => r.Step));
    }

    [Fact]
    public void Open_ForARunResumedAtStepS_DropsTheRecordsAfterSAtTheEnd()
    {
        using var tmp = new TempDir("metrics-resume");
        string path = tmp.Combine("m.jsonl");
        using (var log = new MetricsLog(path))
        {
            foreach (long step in new long[] { 10, 20 }) log.Append(new MetricsRecord { Step = step });        // an earlier run
            foreach (long step in new long[] { 1, 2, 3, 4 }) log.Append(new MetricsRecord { Step = step });    // killed after 4, checkpoint at 2
        }
        using (var log = new MetricsLog(path, resumedAt: 2)) log.Append(new MetricsRecord { Step = 3 });
        Assert.Equal([10L, 20L, 1L, 2L, 3L], MetricsLog.Read(path).Select(r => r.Step));
        using (var log = new MetricsLog(path, resumedAt: 7)) log.Append(new MetricsRecord { Step = 8 });        // nothing past 7 at the end
        Assert.Equal([10L, 20L, 1L, 2L, 3L, 8L], MetricsLog.Read(path).Select(r => r.Step));
        File.WriteAllText(path, "");
        using (var log = new MetricsLog(path, resumedAt: 5)) log.Append(new MetricsRecord { Step = 6 });
        Assert.Equal([6L], MetricsLog.Read(path).Select(r => r.Step));
    }

    [Fact]
    public void Read_NumberBeyondDoubleOrInvalidUtf8_IsAnErrorNamingTheLine()
    {
        using var tmp = new TempDir("metrics-range");
        string path = tmp.Combine("m.jsonl");
        File.WriteAllText(path, "{\"step\":1,\"train_loss\":0.5}\n{\"step\":2,\"train_loss\":1e999}\n");
        var e = Assert.Throws<FormatException>(() => MetricsLog.Read(path));
        Assert.Contains("m.jsonl:2: not a metrics record: 'train_loss' is 1e999, beyond the range of a double", e.Message);
        foreach (string value in new[] { "null", "true", "[1]" })
        {
            File.WriteAllText(path, $"{{\"step\":1,\"train_loss\":{value}}}\n");
            Assert.Contains($"m.jsonl:1: not a metrics record: 'train_loss' is {value}, expected a number", Assert.Throws<FormatException>(() => MetricsLog.Read(path)).Message);
        }
        File.WriteAllBytes(path, [.. "{\"step\":1}\n{\"step\":2,\"kind\":\""u8, 0xFF, .. "\"}\n"u8]);
        Assert.Contains("m.jsonl", Assert.Throws<SeqLearn.Text.TextFormatException>(() => MetricsLog.Read(path)).Message);
    }
}
