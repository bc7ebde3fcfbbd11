using System.Buffers.Binary;
using System.CommandLine;
using System.Xml.Linq;
using SeqLearn.Cli;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Support;
using SeqLearn.Training;

namespace SeqLearn.Tests.Cli;

/// <summary>The charts of <c>forecast --plot</c>, <c>plot --metrics</c> and <c>translate --attention-plot</c>, written headless.</summary>
public class PlotTests
{
    private static (int Code, string Output, string Error) Run(Command command, params string[] args)
    {
        var root = new RootCommand("test") { command };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse([command.Name, .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string Data(string file) => SharedData.PathOf("data/timeseries/" + file);

    // A PNG: the 8-byte signature, then the IHDR chunk with width and height (big-endian) at bytes 16 and 20.
    private static (int Width, int Height) AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.InRange(width, 100, 4000);
        Assert.InRange(height, 100, 4000);
        return (width, height);
    }

    // An SVG that parses as XML; returns the series: the distinct colours of the lines drawn wider than the 1-pixel
    // axes and grid (every series is drawn 1.5 or 2 pixels wide, once in the plot and once in the legend), and the texts.
    private static (int Series, string[] Texts) AssertSvg(string path)
    {
        var doc = XDocument.Load(path);
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(svg + "svg", doc.Root!.Name);
        int series = doc.Descendants(svg + "path")
            .Where(p => (string?)p.Attribute("stroke-width") is "1.5" or "2")
            .Select(p => (string?)p.Attribute("stroke")).Distinct().Count();
        return (series, [.. doc.Descendants(svg + "text").Select(t => t.Value.Trim())]);
    }

    [Fact]
    public void Forecast_Svg_ActualModelAndBestBaseline()
    {
        using var dir = new TempDir("plot-forecast");
        string file = dir.Combine("air.svg");
        var (code, output, error) = Run(ForecastCommand.Create(), "--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month",
            "--protocol", "last:12", "--model", "gru", "--seeds", "1", "--max-steps", "20", "--hidden", "4", "--plot", file);
        Assert.True(code == 0, error);
        Assert.Contains($"wrote {file}", output);
        var (series, texts) = AssertSvg(file);
        Assert.Equal(3, series);
        Assert.Contains("actual", texts);
        Assert.Contains(texts, t => t.StartsWith("gru-ensemble (RMSE ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("ar(23) (RMSE 18.14", StringComparison.Ordinal));   // the best baseline on (B)
    }

    [Fact]
    public void Forecast_Png_WithoutAModel()
    {
        using var dir = new TempDir("plot-forecast-png");
        string file = dir.Combine("temps.PNG");
        var (code, _, error) = Run(ForecastCommand.Create(), "--csv", Data("daily-min-temperatures.csv"), "--value", "Temp", "--date", "Date",
            "--protocol", "from:1990-01-01", "--ar-order", "20", "--model", "none", "--plot", file);
        Assert.True(code == 0, error);
        Assert.Equal((800, 450), AssertPng(file));
    }

    [Theory]
    [InlineData("chart.jpg")]
    [InlineData("chart")]
    public void Forecast_BadExtension_ErrorNamesTheOption_BeforeAnyWork(string name)
    {
        using var dir = new TempDir("plot-bad");
        var (code, _, error) = Run(ForecastCommand.Create(), "--csv", Data("airline-passengers.csv"), "--value", "Passengers", "--date", "Month",
            "--protocol", "last:12", "--model", "none", "--plot", dir.Combine(name));
        Assert.Equal(1, code);
        Assert.StartsWith("error: --plot ", error);
        Assert.Contains(".png or .svg", error);
        Assert.False(File.Exists(dir.Combine(name)));
    }

    private static string MetricsFile(TempDir dir)
    {
        string path = dir.Combine("metrics.jsonl");
        using var log = new MetricsLog(path);
        for (int step = 10; step <= 60; step += 10)
        {
            log.Append(new MetricsRecord { Kind = MetricsRecordKind.Train, Step = step, TrainLoss = 5.0 / step, TrainSteps = 10 });
            if (step % 20 == 0)
                log.Append(new MetricsRecord { Kind = MetricsRecordKind.Evaluation, Step = step, Metrics = new Dictionary<string, double> { ["loss"] = 6.0 / step, ["ppl"] = Math.Exp(6.0 / step), ["bits_per_token"] = 6.0 / step / Math.Log(2), ["bleu"] = step / 3.0 } });
        }
        return path;
    }

    // plot --metrics LOG --out FILE.svg, which must succeed; the chart's series count and texts.
    private static (int Series, string[] Texts) PlotSvg(string log, string file)
    {
        var (code, _, error) = Run(PlotCommand.Create(), "--metrics", log, "--out", file);
        Assert.True(code == 0, error);
        return AssertSvg(file);
    }

    [Fact]
    public void Metrics_Svg_TrainLossValidLossAndBleu_PerplexityAndBitsNotRepeated()
    {
        using var dir = new TempDir("plot-metrics");
        var (series, texts) = PlotSvg(MetricsFile(dir), dir.Combine("curves.svg"));
        Assert.Equal(3, series);
        Assert.Contains("train_loss", texts);
        Assert.Contains("valid_loss", texts);
        Assert.Contains("valid_bleu", texts);
        Assert.DoesNotContain("valid_ppl", texts);
        Assert.DoesNotContain("valid_bits_per_token", texts);   // the language-model task's name for loss / ln 2
    }

    [Fact]
    public void Metrics_TwoRunsAppendedToOneLog_AreTwoSetsOfLines()
    {
        // A second run appended to the same log starts again at step 10: its lines are its own, not a zigzag back over the first's.
        using var dir = new TempDir("plot-metrics-runs");
        string path = MetricsFile(dir);
        using (var log = new MetricsLog(path))
            for (int step = 10; step <= 30; step += 10)
                log.Append(new MetricsRecord { Kind = MetricsRecordKind.Train, Step = step, TrainLoss = 4.0 / step, TrainSteps = 10 });
        var (series, texts) = PlotSvg(path, dir.Combine("runs.svg"));
        Assert.Equal(4, series);
        Assert.Contains("train_loss (run 1)", texts);
        Assert.Contains("valid_bleu (run 1)", texts);
        Assert.Contains("train_loss (run 2)", texts);
    }

    [Fact]
    public void Metrics_DefaultOut_IsThePngBesideTheLog()
    {
        using var dir = new TempDir("plot-metrics-png");
        string log = MetricsFile(dir);
        var (code, output, error) = Run(PlotCommand.Create(), "--metrics", log);
        Assert.True(code == 0, error);
        Assert.Equal((800, 450), AssertPng(dir.Combine("metrics.png")));
        Assert.Contains("metrics.png", output);
    }

    [Fact]
    public void Metrics_BadExtensionOrEmptyLog_OneLineErrors()
    {
        using var dir = new TempDir("plot-metrics-bad");
        var (code, _, error) = Run(PlotCommand.Create(), "--metrics", MetricsFile(dir), "--out", dir.Combine("x.gif"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: --out ", error);
        string empty = dir.Combine("empty.jsonl");
        File.WriteAllText(empty, "");
        (code, _, error) = Run(PlotCommand.Create(), "--metrics", empty, "--out", dir.Combine("x.png"));
        Assert.Equal(1, code);
        Assert.Contains("no train_loss or valid metric", error);
    }

    [Fact]
    public void Metrics_OutThatIsTheLog_IsRefusedAndTheLogKept()
    {
        using var dir = new TempDir("plot-metrics-self");
        string log = dir.Combine("curves.png");   // a log named *.png: the default --out is the log itself
        File.Move(MetricsFile(dir), log);
        byte[] before = File.ReadAllBytes(log);
        foreach (string[] args in new[] { new[] { "--metrics", log }, new[] { "--metrics", log, "--out", log } })
        {
            var (code, output, error) = Run(PlotCommand.Create(), args);
            Assert.Equal(1, code);
            Assert.StartsWith("error: --out ", error);
            Assert.Contains("is the --metrics file", error);
            Assert.Equal("", output);
            Assert.Equal(before, File.ReadAllBytes(log));
        }
    }

    // A toy model trained for a few steps: its attention over "go . <eos>" for each output word, as a heat map.
    [Fact]
    public void Translate_AttentionPlot_PngAndSvg()
    {
        using var dir = new TempDir("plot-attention");
        string pairs = dir.Combine("pairs.txt"), checkpoint = dir.Combine("run");
        string[] english = ["Go.", "Hi.", "Run!", "Who?", "Wow!", "Help!", "Jump.", "Stop!", "Wait!", "Hello!", "I see.", "I try."];
        File.WriteAllLines(pairs, english.Select((e, i) => $"{e}\tfr{i} {e.ToLowerInvariant()}").Concat(["Go.\tva !", "Go.\tva !"]));
        var (code, _, error) = Run(TranslateCommand.Create(), "train", "--pairs", pairs, "--attention", "bahdanau", "--embedding", "8", "--hidden", "8",
            "--batch", "4", "--max-steps", "4", "--eval-every", "4", "--threads", "1", "--checkpoint", checkpoint);
        Assert.True(code == 0, error);

        string png = dir.Combine("attention.png"), svg = dir.Combine("attention.svg");
        var (code2, output2, error2) = Run(TranslateCommand.Create(), "--checkpoint", checkpoint, "--attention-plot", png, "Go.");
        Assert.True(code2 == 0, error2);
        Assert.Single(output2.TrimEnd().Split('\n'));                       // the translation is still printed
        var (width, _) = AssertPng(png);
        Assert.Equal(160 + 48 * 3, width);                                  // three source columns: go . <eos>

        Assert.Equal(0, Run(TranslateCommand.Create(), "--checkpoint", checkpoint, "--beam", "2", "--attention-plot", svg, "Go.").Code);
        var (_, texts) = AssertSvg(svg);
        Assert.Contains("go", texts);
        Assert.Contains("<eos>", texts);

        var (code3, _, error3) = Run(TranslateCommand.Create(), "--checkpoint", checkpoint, "--attention-plot", dir.Combine("a.bmp"), "Go.");
        Assert.Equal(1, code3);
        Assert.StartsWith("error: --attention-plot ", error3);
    }
}
