using ScottPlot;
using SeqLearn.Training;

namespace SeqLearn.Cli.Plots;

/// <summary>
/// Training curves from a trainer's JSON-lines metrics log (<see cref="MetricsLog"/>): train_loss and valid_loss against
/// the step on the left axis, and every other validation metric that is not a loss transform (BLEU, accuracy, RMSE…)
/// on the right axis.
/// </summary>
public static class MetricsChart
{
    /// <summary>The metrics that restate the loss (perplexity, bits) and are not drawn again.</summary>
    private static readonly HashSet<string> LossLike = ["loss", "ppl", "bpc", "bits", "bits_per_token"];

    /// <summary>
    /// Builds the chart; throws when the log has no loss to draw. A log that several runs appended to (the step going
    /// back down) gets one set of lines per run, named <c>(run 2)</c> and so on. <c>--resume</c> continues the step
    /// count, so a run resumed where its log ends stays one line; one resumed from an earlier checkpoint starts a new
    /// line at the step it resumes from.
    /// </summary>
    public static Plot Build(IReadOnlyList<MetricsRecord> records, string source)
    {
        ArgumentNullException.ThrowIfNull(records);
        var plot = new Plot();
        int lines = 0;
        var runs = Runs(records);
        for (int run = 0; run < runs.Count; run++)
            lines += AddRun(plot, runs[run], runs.Count == 1 ? "" : $" (run {run + 1})");
        if (lines == 0) throw new ArgumentException($"{source}: the metrics log has no train_loss or valid metric to plot.");
        plot.Title(Path.GetFileName(source));
        plot.XLabel("step");
        plot.YLabel("loss");
        if (records.Any(r => r.Metrics is not null && r.Metrics.Keys.Any(k => !LossLike.Contains(k)))) plot.Axes.Right.Label.Text = "validation metric";
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    // The records cut where the step goes down: each part is one run's, in file order.
    private static List<MetricsRecord[]> Runs(IReadOnlyList<MetricsRecord> records)
    {
        var runs = new List<MetricsRecord[]>();
        int start = 0;
        for (int i = 1; i <= records.Count; i++)
            if (i == records.Count || records[i].Step < records[i - 1].Step)
            {
                runs.Add([.. records.Skip(start).Take(i - start)]);
                start = i;
            }
        return runs;
    }

    // train_loss and the validation metrics of one run; returns the number of lines drawn.
    private static int AddRun(Plot plot, MetricsRecord[] records, string suffix)
    {
        int lines = 0;
        var train = records.Where(r => r.TrainLoss is double v && double.IsFinite(v)).ToArray();
        if (train.Length > 0)
        {
            var s = plot.Add.ScatterLine(train.Select(r => (double)r.Step).ToArray(), train.Select(r => r.TrainLoss!.Value).ToArray());
            s.LegendText = "train_loss" + suffix;
            s.LineWidth = 1.5f;
            lines++;
        }
        var evals = records.Where(r => r.Metrics is not null).ToArray();
        foreach (string name in evals.SelectMany(r => r.Metrics!.Keys).Distinct().OrderBy(k => k == "loss" ? "" : k, StringComparer.Ordinal))
        {
            if (name != "loss" && LossLike.Contains(name)) continue;
            var points = evals.Where(r => r.Metrics!.TryGetValue(name, out double v) && double.IsFinite(v)).ToArray();
            if (points.Length == 0) continue;
            var s = plot.Add.ScatterLine(points.Select(r => (double)r.Step).ToArray(), points.Select(r => r.Metrics![name]).ToArray());
            s.LegendText = "valid_" + name + suffix;
            s.LineWidth = 1.5f;
            if (name != "loss") s.Axes.YAxis = plot.Axes.Right;
            lines++;
        }
        return lines;
    }
}
