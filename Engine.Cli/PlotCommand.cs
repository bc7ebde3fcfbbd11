using System.CommandLine;
using SeqLearn.Cli.Plots;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn plot --metrics FILE [--out FILE.png|FILE.svg]</c>: the training curves of a trainer's metrics log
/// (train and validation loss against the step, other validation metrics on a second axis).
/// </summary>
public static class PlotCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var metrics = new Option<string>("--metrics") { Description = "A JSON-lines metrics log written by training (--metrics FILE of train commands).", Required = true };
        var output = new Option<string>("--out") { Description = "The chart: .png or .svg (default: the log's name with .png)." };
        var command = new Command("plot", "Draws training curves from a metrics log.") { metrics, output };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            string log = parse.GetValue(metrics)!;
            string target = parse.GetValue(output) ?? Path.ChangeExtension(log, ".png");
            ChartFile.Check(target, "--out");
            // A log named *.png is its own default --out: the chart would replace the data it is drawn from.
            SeqLearn.Text.PathCheck.EnsureNotInput(target, "--out", log, "--metrics");
            var plot = MetricsChart.Build(MetricsLog.Read(log), log);
            ChartFile.Save(plot, target, "--out");
            parse.InvocationConfiguration.Output.WriteLine($"wrote {target}");
            return 0;
        }));
        return command;
    }
}
