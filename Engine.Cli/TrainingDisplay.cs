using System.Globalization;
using SeqLearn.Training;
using Spectre.Console;

namespace SeqLearn.Cli;

/// <summary>
/// What every training command prints while it trains: live progress (a Spectre.Console progress bar on a terminal; one
/// plain line per evaluation when the output is redirected) and the summary. Each command prints its own header and
/// results around it. Every duration it prints is hours:minutes:seconds with the hours unbounded (<see cref="Duration"/>).
/// </summary>
internal sealed class TrainingDisplay(TextWriter output, bool interactive) : IProgress<TrainingProgress>
{
    private ProgressTask? _bar;

    /// <summary>A display for <paramref name="output"/>, interactive when it is the real, unredirected console.</summary>
    public static TrainingDisplay For(TextWriter output) => new(output, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);

    /// <summary>Runs <paramref name="train"/>; Ctrl+C cancels it after the current step (the final evaluation and checkpoint still run).</summary>
    public TrainingResult Run(Func<CancellationToken, TrainingResult> train)
    {
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!interactive) return train(interrupt.Token);
            TrainingResult? result = null;
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                .Start(ctx =>
                {
                    _bar = ctx.AddTask("starting", maxValue: 1);
                    result = train(interrupt.Token);
                    _bar.Value = 1;
                });
            return result!;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public void Report(TrainingProgress p)
    {
        string line = Line(p);
        if (_bar is not null)
        {
            _bar.Value = p.Fraction;
            string eta = p.Eta is { } t ? $" eta {Duration(t)}" : "";
            _bar.Description = Markup.Escape($"step {p.Step:N0} loss {p.TrainLoss:F3} {p.TokensPerSecond:N0} tok/s{eta}");
            if (p.Kind == ProgressKind.Evaluation) AnsiConsole.WriteLine(line);
        }
        else if (p.Kind == ProgressKind.Evaluation)
        {
            output.WriteLine(line);
        }
    }

    public void Summary(TrainingResult r, TrainingOptions options, StepTimings timings)
    {
        string why = r.Reason switch
        {
            StopReason.TimeBudget => "time budget used",
            StopReason.Epochs => "epochs done",
            StopReason.MaxSteps => "step limit reached",
            StopReason.EarlyStopping => $"early stopping (no better {r.Monitor} in {options.Patience} evaluations)",
            _ => "interrupted (Ctrl+C)",
        };
        output.WriteLine($"stopped: {why} after {r.Steps:N0} steps ({r.Epoch} epochs); training {Duration(r.TrainingTime)}, evaluation {Duration(r.EvaluationTime)}, {r.TokensPerSecond:N0} tokens/s");
        output.WriteLine($"valid {Metrics(r.FinalMetrics)}; best {r.Monitor} {r.BestMetric:F4} at step {r.BestStep:N0}");
        double total = Math.Max(timings.Total.TotalSeconds, 1e-9);
        output.WriteLine($"step time: forward {timings.Forward.TotalSeconds / total:P0}, backward {timings.Backward.TotalSeconds / total:P0}, " +
                         $"clip {timings.Clip.TotalSeconds / total:P0}, optimizer {timings.Optimizer.TotalSeconds / total:P0} of {Duration(timings.Total)}");
        if (options.CheckpointDirectory is { } dir)
            output.WriteLine($"checkpoints: {Path.Combine(dir, "best")} and {Path.Combine(dir, "last")}");
    }

    // "loss 2.1656 ppl 8.7200 bits_per_token 3.1240": every metric, "loss" first.
    private static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(" ", metrics.OrderBy(m => m.Key == "loss" ? 0 : 1).Select(m => $"{m.Key} {m.Value.ToString("F4", CultureInfo.InvariantCulture)}"));

    private static string Line(TrainingProgress p)
    {
        string valid = p.Metrics is { } m ? $" | valid {Metrics(m)} (best {p.Monitor} {p.Best:F4})" : "";
        string eta = p.Eta is { } t ? $" | eta {Duration(t)}" : "";
        return $"step {p.Step:N0} epoch {p.Epoch} | train {p.TrainLoss:F4}{valid} | {p.TokensPerSecond:N0} tok/s | lr {p.LearningRate:G4} | {Duration(p.TrainingTime)}{eta}";
    }

    /// <summary>
    /// <paramref name="t"/> as hours:minutes:seconds, the whole seconds truncated and the hours unbounded: <c>0:00:07</c>,
    /// <c>33:06:31</c> (a day and more is counted in hours, never dropped). A negative duration prints as <c>0:00:00</c>.
    /// </summary>
    internal static string Duration(TimeSpan t)
    {
        long s = Math.Max(0, (long)t.TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600}:{s / 60 % 60:00}:{s % 60:00}");
    }
}
