using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Training;
using Spectre.Console;

namespace SeqLearn.Cli;

/// <summary>
/// What <c>seqlearn train</c> prints: a header, live progress (a Spectre.Console progress bar on a terminal; one
/// plain line per evaluation when the output is redirected), the summary, and the final sample.
/// </summary>
internal sealed class TrainDisplay(TextWriter output, bool interactive) : IProgress<TrainingProgress>
{
    private ProgressTask? _bar;

    public void Header(TrainCorpus data, LanguageModelConfig config, TrainingOptions options, LanguageModelTrainer<float> trainer, int threads)
    {
        long parameters = trainer.Model.Parameters().Sum(p => (long)p.Value.Length);
        output.WriteLine($"corpus: {data.Source}: {data.Train.Length:N0} train + {data.Valid.Length:N0} valid tokens, vocabulary {data.Vocabulary.Count:N0}");
        output.WriteLine($"model: {config.Cell.ToString().ToLowerInvariant()} E={config.EmbeddingSize} H={config.HiddenSize} L={config.NumLayers} dropout={config.Dropout}" +
                         $"{(config.TieWeights ? " tied" : "")}, {parameters:N0} parameters");
        string stop = string.Join(" or ", new[]
        {
            options.Epochs is { } e ? $"{e} epochs" : null,
            options.TimeBudget is { } t ? $"{t.TotalSeconds:0.#} s" : null,
            options.MaxSteps is { } m ? $"{m:N0} steps" : null,
        }.Where(x => x is not null));
        output.WriteLine($"training: B={options.BatchSize} T={options.Bptt}, {trainer.WindowsPerEpoch:N0} windows/epoch, {options.Optimizer.ToString().ToLowerInvariant()} lr={options.LearningRate}" +
                         $", clip={options.ClipNorm?.ToString() ?? "off"}, {threads} threads, until {stop}" + (trainer.Step > 0 ? $"; resumed at step {trainer.Step:N0}" : ""));
    }

    public TrainingResult Run(LanguageModelTrainer<float> trainer, CancellationToken cancellation)
    {
        if (!interactive) return trainer.Train(cancellation);
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .Start(ctx =>
            {
                _bar = ctx.AddTask("starting", maxValue: 1);
                result = trainer.Train(cancellation);
                _bar.Value = 1;
            });
        return result!;
    }

    public void Report(TrainingProgress p)
    {
        string line = Line(p);
        if (_bar is not null)
        {
            _bar.Value = p.Fraction;
            string eta = p.Eta is { } t ? $" eta {t:hh\\:mm\\:ss}" : "";
            _bar.Description = Markup.Escape($"step {p.Step:N0} loss {p.TrainLoss:F3} bpc {p.BitsPerToken:F2} {p.TokensPerSecond:N0} tok/s{eta}");
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
            StopReason.EarlyStopping => $"early stopping (no improvement in {options.Patience} evaluations)",
            _ => "interrupted (Ctrl+C)",
        };
        output.WriteLine($"stopped: {why} after {r.Steps:N0} steps ({r.Epoch} epochs); training {r.TrainingTime.TotalSeconds:F1} s, evaluation {r.EvaluationTime.TotalSeconds:F1} s, {r.TokensPerSecond:N0} tokens/s");
        output.WriteLine($"valid loss {r.FinalValidLoss:F4} (ppl {Math.Exp(r.FinalValidLoss):F2}, bpc {r.FinalValidLoss / Math.Log(2):F3}); best {r.BestValidLoss:F4} at step {r.BestStep:N0}");
        double total = Math.Max(timings.Total.TotalSeconds, 1e-9);
        output.WriteLine($"step time: forward {timings.Forward.TotalSeconds / total:P0}, backward {timings.Backward.TotalSeconds / total:P0}, " +
                         $"clip {timings.Clip.TotalSeconds / total:P0}, optimizer {timings.Optimizer.TotalSeconds / total:P0} of {timings.Total.TotalSeconds:F1} s");
        if (options.CheckpointDirectory is { } dir)
            output.WriteLine($"checkpoints: {Path.Combine(dir, "best")} and {Path.Combine(dir, "last")}");
    }

    private static string Line(TrainingProgress p)
    {
        string valid = p.ValidLoss is { } v ? $" | valid {v:F4} (bpc {v / Math.Log(2):F3}, best {p.Best:F4})" : "";
        string eta = p.Eta is { } t ? $" | eta {t:hh\\:mm\\:ss}" : "";
        return $"step {p.Step:N0} epoch {p.Epoch} | train {p.TrainLoss:F4} (ppl {p.Perplexity:F2}, bpc {p.BitsPerToken:F3}){valid} | {p.TokensPerSecond:N0} tok/s | lr {p.LearningRate:G4} | {p.TrainingTime.TotalSeconds:F0} s{eta}";
    }
}
