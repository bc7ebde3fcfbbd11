using System.CommandLine;
using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn forecast</c>: reads one series from a CSV file, cuts it by a protocol and prints the classical
/// baselines (persistence, seasonal naive, AR(p)) and a recurrent model (mean and range over seeds) scored on the same
/// one-step targets, as a table or as JSON.
/// </summary>
public static class ForecastCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var csv = new Option<string>("--csv") { Description = "CSV file with a header line.", Required = true };
        var value = new Option<string>("--value") { Description = "Value column: header name or 0-based index.", Required = true };
        var date = new Option<string>("--date") { Description = "Date column: header name or 0-based index (needed by from:DATE and to infer the season)." };
        var protocol = new Option<string>("--protocol") { Description = "split:F (first ⌊F·n⌋ rows train), last:K (last K rows are targets) or from:YYYY-MM-DD.", Required = true };
        var season = new Option<int?>("--season") { Description = "Season s in rows for the seasonal naive forecast (default: 12 for yyyy-MM dates, 365 for yyyy-MM-dd dates)." };
        var arOrder = new Option<int?>("--ar-order") { Description = "Fixed AR order p (default: chosen by AIC over 1..--max-order on the training rows)." };
        var maxOrder = new Option<int>("--max-order") { Description = "Largest p of the AIC search.", DefaultValueFactory = _ => ForecastBaselines.DefaultMaxOrder };
        var transform = new Option<string>("--ar-transform") { Description = "Stages the AR model works through, fitted on the training rows: comma-separated log, diffN, minmax, standard (e.g. log,diff12)." };
        var json = new Option<bool>("--json") { Description = "Print {\"targets\": n, \"rows\": [...]} instead of the table." };
        var model = new Option<string>("--model") { Description = "The recurrent model beside the baselines: lstm, gru, or none.", DefaultValueFactory = _ => "lstm" };
        model.AcceptOnlyFromAmong("lstm", "gru", "none");
        var seeds = new Option<int>("--seeds") { Description = "Train the model with seeds 1..N and report the mean RMSE with its range.", DefaultValueFactory = _ => 5 };
        var lookBack = new Option<int>("--look-back") { Description = "T, past values per window.", DefaultValueFactory = _ => 24 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the recurrent layer.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 0.005 };
        var steps = new Option<int>("--max-steps") { Description = "Optimizer steps per seed (the weights of the best validation evaluation are kept).", DefaultValueFactory = _ => 2000 };
        var modelTransform = new Option<string>("--transform") { Description = "Stages the model works through before a standard scaler (e.g. log,diff12), or auto: the one of none, diff1, log,diffS that lets an AR model forecast the last 20 % of the training rows best.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads", "-t") { Description = "Worker threads (results are identical for any count).", DefaultValueFactory = _ => 1 };
        var command = new Command("forecast", "One-step forecasts of a series: persistence, seasonal naive and AR(p) baselines, RMSE and MAE on the same targets.")
        {
            csv, value, date, protocol, season, arOrder, maxOrder, transform, json, model, seeds, lookBack, hidden, lr, steps, modelTransform, threads,
        };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            var series = TimeSeriesCsv.Read(parse.GetValue(csv)!, parse.GetValue(value)!, parse.GetValue(date));
            var spec = ForecastProtocol.Parse(parse.GetValue(protocol)!);
            int s = parse.GetValue(season) ?? ForecastBaselines.InferSeason(series)
                ?? throw new ArgumentException("give --season S (the dates do not say whether the data are monthly or daily).");
            int? p = parse.GetValue(arOrder);
            if (s < 1 || p < 1) throw new ArgumentException($"--season and --ar-order must be at least 1 (got {s}, {p}).");
            var pipeline = TransformedForecaster.ParsePipeline(parse.GetValue(transform) ?? "");
            var report = ForecastBaselines.Evaluate(series, spec, s, p, parse.GetValue(maxOrder), pipeline);
            if (parse.GetValue(model) is { } kind && kind != "none")
            {
                int seedCount = parse.GetValue(seeds), threadCount = parse.GetValue(threads);
                if (seedCount is < 1 or > 100) throw new ArgumentException($"--seeds must be in [1, 100], got {seedCount}.");
                if (threadCount < 1 || threadCount > 4 * Environment.ProcessorCount) throw new ArgumentException($"--threads must be in [1, {4 * Environment.ProcessorCount}], got {threadCount}.");
                var options = new RecurrentForecasterOptions(kind == "gru" ? RecurrentCell.Gru : RecurrentCell.Lstm, parse.GetValue(hidden), 1,
                    parse.GetValue(lookBack), parse.GetValue(lr), MaxSteps: parse.GetValue(steps));
                options.Validate();
                string stages = parse.GetValue(modelTransform) ?? "auto";
                var chosen = stages == "auto" ? NeuralForecastEvaluation.ChooseTransform(series, spec, s) : TransformedForecaster.ParsePipeline(stages);
                using var pool = new WorkerPool(threadCount);
                var row = NeuralForecastEvaluation.Evaluate(series, spec, options, chosen, seedCount, pool);
                report = report with { Rows = [.. report.Rows, row] };
            }
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(report.ToJson());
            else
            {
                output.Write(report.ToTable());
                int order = report.Rows.Single(r => r.Name == "ar").P!.Value;
                output.WriteLine(p is null
                    ? $"season s = {s}; AR order p = {order}, chosen by AIC over 1..{parse.GetValue(maxOrder)} on the (transformed) training rows"
                    : $"season s = {s}; AR order p = {order} (fixed)");
            }
            return 0;
        }));
        return command;
    }
}
