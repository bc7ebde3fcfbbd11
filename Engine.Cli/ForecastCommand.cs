using System.CommandLine;
using SeqLearn.Forecasting;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn forecast</c>: reads one series from a CSV file, cuts it by a protocol and prints the classical
/// baselines (persistence, seasonal naive, AR(p)) scored on the same one-step targets, as a table or as JSON.
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
        var command = new Command("forecast", "One-step forecasts of a series: persistence, seasonal naive and AR(p) baselines, RMSE and MAE on the same targets.")
        {
            csv, value, date, protocol, season, arOrder, maxOrder, transform, json,
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
