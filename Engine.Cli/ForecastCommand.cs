using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Cli.Plots;
using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn forecast</c>: reads one series from a CSV file, cuts it by a protocol and prints the classical
/// baselines (persistence, seasonal naive, AR(p)) and a recurrent model (mean and range over seeds, and the ensemble of
/// the seeds) scored on the same targets (one step ahead, or H steps ahead recursively or directly), as a table or as JSON; optionally a chart of the target period and
/// forecasts past the end of the file.
/// </summary>
public static partial class ForecastCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var csv = new Option<string>("--csv") { Description = "CSV file with a header line.", Required = true };
        var value = new Option<string>("--value") { Description = "Value column: header name or 0-based index.", Required = true };
        var date = new Option<string>("--date") { Description = "Date column: header name or 0-based index (needed by from:DATE and to infer the season)." };
        var protocol = new Option<string>("--protocol") { Description = "split:F (first ⌊F·n⌋ rows train), last:K (last K rows are targets) or from:YYYY-MM-DD.", Required = true };
        var season = new Option<int?>("--season") { Description = "Season s in rows for the seasonal naive forecast (default: inferred from the last two dates' spacing: 12 monthly, 4 quarterly, 52 weekly, 365 daily; a spacing that makes no whole number of rows a year needs --season)." };
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
        var batch = new Option<int>("--batch") { Description = "Windows per optimizer step.", DefaultValueFactory = _ => 32 };
        var linear = new Option<bool>("--linear-path") { Description = "Add a linear (autoregressive) path from the window to the output beside the recurrent layer." };
        var calendar = new Option<string>("--calendar") { Description = "Calendar features beside each input value: none, month (month of year) or day (day of year), as sin/cos.", DefaultValueFactory = _ => "none" };
        calendar.AcceptOnlyFromAmong("none", "month", "day");
        var modelTransform = new Option<string>("--transform") { Description = "Stages the model works through before a standard scaler (e.g. log,diff12; none), or auto: the one of none, diff1, log,diffS that lets an AR model forecast the last 20 % of the training rows best.", DefaultValueFactory = _ => "auto" };
        var plot = new Option<string>("--plot") { Description = "Draw the target period (actual values, the model's forecasts, the best baseline's) into FILE.png or FILE.svg." };
        var predict = new Option<int>("--predict") { Description = "Forecast N steps past the end of the file with AR and the model, both refitted on every row: recursively, or with --strategy direct all N from one history." };
        var horizon = new Option<int>("--horizon") { Description = "H: score every model H steps ahead (see --strategy).", DefaultValueFactory = _ => 1 };
        var strategy = new Option<string>("--strategy") { Description = "How models forecast more than one step ahead, both the --horizon H scores and the --predict N forecasts: recursive (one-step forecasts fed back) or direct (the network has H or N outputs, AR one regression per lead). Changes no forecast or score when --horizon is 1 and --predict is 0 or 1.", DefaultValueFactory = _ => "recursive" };
        strategy.AcceptOnlyFromAmong("recursive", "direct");
        var threads = new Option<int>("--threads", "-t") { Description = "Worker threads (results are identical for any count).", DefaultValueFactory = _ => 1 };
        var command = new Command("forecast", "Forecasts of a series one step or --horizon H steps ahead: persistence, seasonal naive and AR(p) baselines and a recurrent model, RMSE and MAE on the same targets.")
        {
            csv, value, date, protocol, season, arOrder, maxOrder, transform, json, model, seeds, lookBack, hidden, lr, steps, batch, linear, calendar, modelTransform,
            plot, predict, horizon, strategy, threads,
        };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            // Every option is checked before the file is read or anything is fitted.
            if (parse.GetValue(plot) is { } plotPath) ChartFile.Check(plotPath, "--plot");
            int ahead = parse.GetValue(predict);
            if (ahead is < 0 or > 100_000) throw new ArgumentException($"--predict must be in [0, 100000], got {ahead}.");
            ForecastProtocol spec;
            try { spec = ForecastProtocol.Parse(parse.GetValue(protocol)!); }
            catch (FormatException e) { throw new ArgumentException($"--protocol: {e.Message}", e); }
            int? givenSeason = parse.GetValue(season), p = parse.GetValue(arOrder);
            int pMax = parse.GetValue(maxOrder), h = parse.GetValue(horizon);
            if (parse.GetValue(model) == "none")   // the options of the recurrent model would be ignored
                CliGuard.RefuseIfGiven(parse, o => $"{o} applies to the recurrent model, not --model none: drop {o} or use --model lstm or gru.",
                    seeds, lookBack, hidden, lr, steps, batch, linear, calendar, modelTransform, threads);
            if (p is { } fixedOrder)
                CliGuard.RefuseIfGiven(parse, o => $"{o} bounds the AIC search of the AR order, which --ar-order {fixedOrder} replaces: drop one of them.", maxOrder);
            if (givenSeason is < 1 or > MaxLag) throw new ArgumentException($"--season must be in [1, {MaxLag}], got {givenSeason}.");
            if (p is < 1 or > MaxOrder) throw new ArgumentException($"--ar-order must be in [1, {MaxOrder}], got {p}.");
            if (pMax is < 1 or > MaxOrder) throw new ArgumentException($"--max-order must be in [1, {MaxOrder}], got {pMax}.");
            if (h < 1) throw new ArgumentException($"--horizon must be at least 1, got {h}.");
            var pipeline = Stages(parse.GetValue(transform) ?? "", "--ar-transform");
            int threadCount = TrainingCliOptions.CheckThreads(parse.GetValue(threads));
            var how = parse.GetValue(strategy) == "direct" ? ForecastStrategy.Direct : ForecastStrategy.Recursive;
            RecurrentForecasterOptions? options = null;
            int seedCount = parse.GetValue(seeds);
            if (parse.GetValue(model) is { } kind && kind != "none")
            {
                if (seedCount is < 1 or > 100) throw new ArgumentException($"--seeds must be in [1, 100], got {seedCount}.");
                int hiddenSize = parse.GetValue(hidden), window = parse.GetValue(lookBack), b = parse.GetValue(batch), n = parse.GetValue(steps);
                double rate = parse.GetValue(lr);
                if (hiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden must be in [1, 4096], got {hiddenSize}.");
                if (window is < 1 or > 100_000) throw new ArgumentException($"--look-back must be in [1, 100000], got {window}.");
                if (b < 1 || n < 1) throw new ArgumentException($"--batch and --max-steps must be at least 1, got {b} and {n}.");
                if (!(rate > 0 && double.IsFinite(rate))) throw new ArgumentException($"--lr must be a positive number, got {rate}.");
                options = new RecurrentForecasterOptions(kind == "gru" ? RecurrentCell.Gru : RecurrentCell.Lstm, hiddenSize, 1, window, rate, b, n,
                    LinearPath: parse.GetValue(linear),
                    Calendar: parse.GetValue(calendar) switch { "month" => CalendarFeatures.MonthOfYear, "day" => CalendarFeatures.DayOfYear, _ => CalendarFeatures.None });
                options.Validate();
                // The largest network trained: H outputs to score --horizon H directly, N to forecast --predict N directly, else one.
                int outputs = how == ForecastStrategy.Direct ? Math.Max(h, ahead) : 1;
                if (outputs > 100_000)   // --predict is at most 100000: only --horizon is left to check
                    throw new ArgumentException($"--horizon {h} --strategy direct: the {kind} forecaster has one output per lead, at most 100000.");
                string leads = outputs == 1 ? "" : outputs == h ? $" --horizon {h} --strategy direct" : $" --predict {ahead} --strategy direct";
                var largest = options with { Horizon = outputs };
                CliGuard.EnsureTrainingFits(largest.ParameterCount(), sizeof(float), $"the {kind} forecaster (--hidden {hiddenSize} --look-back {window} --batch {b}{leads})",
                    largest.ActivationValues());
            }
            string stages = parse.GetValue(modelTransform) ?? "auto";
            TransformPipeline? fixedStages = options is null || stages == "auto" ? null : Stages(stages == "none" ? "" : stages, "--transform");

            string? dateColumn = parse.GetValue(date);
            if (spec.Kind == ForecastProtocolKind.From && dateColumn is null)
                throw new ArgumentException($"--protocol {spec.Spec} cuts the series at a date: give --date (the date column).");

            var data = TimeSeriesCsv.ReadWithLines(parse.GetValue(csv)!, parse.GetValue(value)!, dateColumn);
            data.EnsureForecastable();
            var series = data.Series;
            ForecastSplit split;
            try { split = spec.Resolve(series); }
            catch (ArgumentException e) { throw new ArgumentException(CliGuard.MessageForUser(e), e); }
            int s = givenSeason ?? ForecastBaselines.InferSeason(series) ?? throw NoSeason(data, dateColumn);
            if (ahead > 0 && FutureForecast.NextDates(series.Dates, ahead) is [{ Length: > 0 }, .., { Length: 0 }])
                throw new ArgumentException($"--predict {ahead}: the dates after '{series.Dates[^1]}' at {data.Where(series.Count - 1)} would pass 9999-12-31; predict fewer steps.");
            HorizonEvaluation.EnsureHorizon(split, h, "--horizon");
            // The rows each option needs, from the sizes alone, before anything is fitted.
            string training = $"--protocol {spec.Spec} leaves", whole = $"{series.Source} has";
            int directLeads = how == ForecastStrategy.Direct ? h : 1;
            string directly = directLeads > 1 ? $" with --horizon {h} --strategy direct" : "";
            string arSpec = parse.GetValue(transform) ?? "";
            CheckSeasonRows(split, spec.Spec, s, givenSeason is not null);
            int arRows = ArRows(split.TrainCount, pipeline, arSpec, training);
            CheckLogInputs(data, split, arSpec, "--ar-transform");
            if (options is not null && fixedStages is not null && stages != "none") CheckLogInputs(data, split, stages, "--transform");
            if (p is { } pFixed) CheckArRows($"--ar-order {pFixed}{directly}: AR({pFixed})", pFixed, directLeads, arRows, pipeline.Lag, training, "--ar-order");
            else
            {
                CheckArRows($"--max-order {pMax}: the AIC search over AR(1 … {pMax})", pMax, 1, arRows, pipeline.Lag, training, "--max-order");
                if (directLeads > 1)   // the order the search chooses, fitted for every lead
                {
                    int aic = ForecastBaselines.Models(series, split, s, null, pMax, pipeline)[2].Order!.Value;
                    CheckArRows($"--horizon {h} --strategy direct: AR({aic}) (its order chosen by AIC) for {h} leads", aic, h, arRows, pipeline.Lag, training, "--horizon", remedyIsLeads: true);
                }
            }
            TransformPipeline? chosen = null;
            if (options is not null)
            {
                if (options.Calendar != CalendarFeatures.None && series.Dates.Any(d => !ForecastProtocol.TryParseDate(d, out _) || Form(d) == "year"))
                    throw new ArgumentException("--calendar needs a date column (--date) with yyyy-MM or yyyy-MM-dd dates.");
                if (fixedStages is null) CheckAutoTransformRows(split, spec.Spec);
                try { chosen = fixedStages ?? NeuralForecastEvaluation.ChooseTransform(series, spec, s); }
                catch (ArgumentException e) { throw new ArgumentException($"{CliGuard.Chosen(parse, modelTransform)}: {CliGuard.MessageForUser(e)}", e); }
                CheckWindowRows(options.Cell.ToString().ToLowerInvariant(), options.LookBack, directLeads, chosen, split.TrainCount, training, directly);
                if (ahead > 0 && how == ForecastStrategy.Direct)
                    CheckWindowRows(options.Cell.ToString().ToLowerInvariant(), options.LookBack, ahead, chosen, series.Count, whole, $" with --predict {ahead} --strategy direct");
            }
            var report = WithArContext(() => ForecastBaselines.Evaluate(series, spec, s, p, pMax, pipeline, h, how), spec.Spec, arSpec);
            int order = report.Rows.Single(r => r.Name == "ar").P!.Value;
            if (ahead > 0 && how == ForecastStrategy.Direct)
                CheckArRows($"--predict {ahead} --strategy direct: AR({order}) for {ahead} leads", order, ahead, ArRows(series.Count, pipeline, arSpec, whole), pipeline.Lag, whole,
                    "--predict", remedyIsLeads: true);
            NeuralForecastResult? neural = null;
            using var pool = new WorkerPool(threadCount);
            if (options is not null)
            {
                neural = NeuralForecastEvaluation.Evaluate(series, spec, options, chosen!, seedCount, pool, h, how);
                report = report with { Rows = [.. report.Rows, neural.Row, neural.Ensemble] };
            }

            var future = ahead > 0 ? Predict(series, s, order, pipeline, options, chosen, parse.GetValue(seeds), pool, ahead, how) : null;
            EnsureFinite(data, report, future, arSpec);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                if (future is null) output.WriteLine(report.ToJson());
                else
                {
                    var o = JsonNode.Parse(report.ToJson())!.AsObject();
                    o["predict"] = new JsonArray([.. future.Select(r => (JsonNode?)r.ToJson())]);
                    output.WriteLine(o.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                }
            }
            else
            {
                output.Write(report.ToTable());
                output.WriteLine(p is null
                    ? $"season s = {s}; AR order p = {order}, chosen by AIC over 1..{parse.GetValue(maxOrder)} on the (transformed) training rows"
                    : $"season s = {s}; AR order p = {order} (fixed)");
                if (future is not null)
                {
                    output.WriteLine(how == ForecastStrategy.Direct
                        ? $"forecasts past the end of the file (models refitted on all {series.Count} rows, direct: all {ahead} steps from one history):"
                        : $"forecasts past the end of the file (models refitted on all {series.Count} rows, each forecast fed back as history):");
                    output.WriteLine(options is null ? "step\tdate\tar" : $"step\tdate\tar\t{options.Cell.ToString().ToLowerInvariant()}");
                    foreach (var r in future) output.WriteLine(r.ToLine());
                }
            }
            if (parse.GetValue(plot) is { } file)
            {
                ChartFile.Save(Chart(series, split, s, p, pMax, pipeline, report, neural, h, how), file, "--plot");
                if (!parse.GetValue(json)) output.WriteLine($"wrote {file}");
            }
            return 0;
        }));
        return command;
    }

    private static TransformPipeline Stages(string spec, string option)
    {
        try { return TransformedForecaster.ParsePipeline(spec); }
        catch (FormatException e) { throw new ArgumentException($"{option}: {e.Message}", e); }
    }

    /// <summary>The largest --season accepted (a season longer than any series this reads in memory).</summary>
    public const int MaxLag = 100_000;

    /// <summary>The largest --ar-order and --max-order accepted (least squares solves a p × p system per fit).</summary>
    public const int MaxOrder = 1000;

    // The target period: the actual values, the ensemble of the model's seeds and the baseline with the lowest RMSE.
    private static ScottPlot.Plot Chart(TimeSeries series, ForecastSplit split, int season, int? arOrder, int maxOrder, TransformPipeline arTransform,
        ForecastReport report, NeuralForecastResult? neural, int horizon, ForecastStrategy strategy)
    {
        var c = CultureInfo.InvariantCulture;
        var baselines = ForecastBaselines.MultiStepModels(series, split, season, horizon, strategy, arOrder, maxOrder, arTransform);
        int best = Enumerable.Range(0, baselines.Count).MinBy(i => report.Rows[i].Rmse);
        var lines = new List<ForecastChart.Line>();
        if (neural is not null)
            lines.Add(new(string.Create(c, $"{neural.Ensemble.Name} (RMSE {ForecastReport.Number(neural.Ensemble.Rmse, 2)}; seeds' mean {ForecastReport.Number(neural.Row.Rmse, 2)})"), neural.EnsembleForecasts));
        var row = report.Rows[best];
        lines.Add(new(string.Create(c, $"{row.Name}{(row.P is int q ? $"({q})" : "")} (RMSE {ForecastReport.Number(row.Rmse, 2)})"),
            HorizonEvaluation.Forecasts(baselines[best].Model, series.Values, split)));
        return ForecastChart.Build(series, HorizonEvaluation.FirstTarget(split, horizon), lines, horizon);
    }

    private sealed record FutureRow(int Step, string Date, double Ar, double? Model)
    {
        public string ToLine() => string.Create(CultureInfo.InvariantCulture,
            $"{Step}\t{(Date.Length > 0 ? Date : "-")}\t{ForecastReport.Number(Ar)}{(Model is double m ? $"\t{ForecastReport.Number(m)}" : "")}");

        public JsonObject ToJson()
        {
            var o = new JsonObject { ["step"] = Step };
            if (Date.Length > 0) o["date"] = Date;
            o["ar"] = Ar;
            if (Model is double m) o["model"] = m;
            return o;
        }
    }

    // N steps past the end: AR(p) (same p and transform) and the model's seeds, refitted on every row, under the strategy
    // (direct: AR with one regression per step, networks with N outputs); the model's value is the mean of the seeds' paths.
    private static FutureRow[] Predict(TimeSeries series, int season, int order, TransformPipeline arTransform, RecurrentForecasterOptions? options,
        TransformPipeline? transform, int seeds, WorkerPool pool, int steps, ForecastStrategy strategy)
    {
        var all = new ForecastSplit(series.Count, series.Count);
        var ar = ForecastBaselines.MultiStepModels(series, all, season, steps, strategy, order, arTransform: arTransform)[2].Model;
        ar.Fit(series.Values);
        double[] arPath = ar.ForecastPath(series.Values);
        double[]? modelPath = null;
        string[] dates = FutureForecast.NextDates(series.Dates, steps);
        if (options is not null)
        {
            modelPath = new double[steps];
            foreach (var m in NeuralForecastEvaluation.FitAll(series.Values, [.. series.Dates, .. dates], options, transform!, seeds, pool, steps, strategy))
            {
                double[] path = m.ForecastPath(series.Values);
                for (int h = 0; h < steps; h++) modelPath[h] += path[h] / seeds;
            }
        }
        return [.. Enumerable.Range(0, steps).Select(h => new FutureRow(h + 1, dates[h], arPath[h], modelPath?[h]))];
    }
}
