using SeqLearn.Kernels;
using SeqLearn.Training;

namespace SeqLearn.Forecasting;

/// <summary>
/// Scores a <see cref="RecurrentForecaster"/> under a protocol over several seeds, on exactly the baselines' targets, and
/// picks the transform it works through when none is given.
/// </summary>
public static class NeuralForecastEvaluation
{
    /// <summary>
    /// Fits and scores one forecaster per seed (seeds 1 … <paramref name="seeds"/>; each fit sees the training rows only)
    /// through <paramref name="transform"/> followed by a standard scaler, on <paramref name="pool"/> (null: the calling thread). <see cref="NeuralForecastResult.Row"/> is the
    /// mean RMSE with its min and max over the seeds and the mean MAE; <see cref="NeuralForecastResult.Ensemble"/> scores
    /// the mean of the seeds' forecasts, ŷ_t = (1/N) Σ_s ŷ_t^(s), a different model (N networks) reported on its own row.
    /// </summary>
    /// <remarks>
    /// With <paramref name="horizon"/> H &gt; 1 the targets are rows n_train + H − 1 … n − 1, each forecast H steps ahead:
    /// recursively by the one-step network, or (<see cref="ForecastStrategy.Direct"/>) by output H − 1 of a network with
    /// H outputs (<see cref="RecurrentForecasterOptions.Horizon"/> = H) taken back through the transform by
    /// <see cref="TransformPipeline.InversePath"/>. At H = 1 both strategies are the same one-step model.
    /// </remarks>
    public static NeuralForecastResult Evaluate(TimeSeries series, ForecastProtocol protocol, RecurrentForecasterOptions options, TransformPipeline transform,
        int seeds, WorkerPool? pool, int horizon = 1, ForecastStrategy strategy = ForecastStrategy.Recursive)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transform);
        if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), $"NeuralForecastEvaluation: seeds must be ≥ 1, got {seeds}.");
        var split = protocol.Resolve(series);
        HorizonEvaluation.EnsureHorizon(split, horizon, "NeuralForecastEvaluation: horizon", nameof(horizon));
        int first = HorizonEvaluation.FirstTarget(split, horizon);
        ReadOnlySpan<double> actual = series.Values.AsSpan(first);
        var rows = new List<ForecastRow>();
        var models = new List<IMultiStepForecaster>();
        var mean = new double[series.Count - first];
        for (int seed = 1; seed <= seeds; seed++)
        {
            var model = Seeded(options, (ulong)seed, transform, series.Dates, pool, horizon, strategy);
            double[] forecasts = HorizonEvaluation.Forecasts(model, series.Values, split);
            rows.Add(new ForecastRow(model.Name, RegressionMetrics.Rmse(actual, forecasts), RegressionMetrics.Mae(actual, forecasts)));
            for (int i = 0; i < mean.Length; i++) mean[i] += forecasts[i] / seeds;
            models.Add(model);
        }
        string name = options.Cell.ToString().ToLowerInvariant();
        string? stages = transform.Stages.Count > 0 ? transform.Name : null;
        var row = new ForecastRow(name, rows.Average(r => r.Rmse), rows.Average(r => r.Mae))
        {
            RmseMin = rows.Min(r => r.Rmse), RmseMax = rows.Max(r => r.Rmse), Transform = stages,
        };
        var ensemble = new ForecastRow($"{name}-ensemble", RegressionMetrics.Rmse(actual, mean), RegressionMetrics.Mae(actual, mean)) { Transform = stages };
        return new NeuralForecastResult(row, ensemble, mean, models);
    }

    /// <summary>
    /// One forecaster per seed 1 … <paramref name="seeds"/>, each (transform → standard scaler → network) fitted on
    /// every value of <paramref name="values"/>: the models behind forecasts past the end of a series, each forecasting
    /// <paramref name="horizon"/> steps under <paramref name="strategy"/>, on <paramref name="pool"/> (null: the calling thread).
    /// <paramref name="dates"/> (with calendar features) must reach the last row that will be forecast.
    /// </summary>
    public static IReadOnlyList<IMultiStepForecaster> FitAll(ReadOnlySpan<double> values, IReadOnlyList<string> dates, RecurrentForecasterOptions options,
        TransformPipeline transform, int seeds, WorkerPool? pool, int horizon = 1, ForecastStrategy strategy = ForecastStrategy.Recursive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transform);
        if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), $"NeuralForecastEvaluation: seeds must be ≥ 1, got {seeds}.");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), $"NeuralForecastEvaluation: horizon must be at least 1, got {horizon}.");
        var models = new List<IMultiStepForecaster>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var model = Seeded(options, (ulong)seed, transform, dates, pool, horizon, strategy);
            model.Fit(values);
            models.Add(model);
        }
        return models;
    }

    // An unfitted transform → standard scaler → network of one seed: a one-step network applied recursively, or (direct)
    // a network with H outputs whose path is undone by TransformPipeline.InversePath.
    private static IMultiStepForecaster Seeded(RecurrentForecasterOptions options, ulong seed, TransformPipeline transform, IReadOnlyList<string> dates,
        WorkerPool? pool, int horizon, ForecastStrategy strategy)
    {
        bool direct = strategy == ForecastStrategy.Direct;
        var pipeline = new TransformPipeline([.. transform.Stages.Select(Fresh), new StandardScaler()]);
        var network = new RecurrentForecaster(options with { Seed = seed, Horizon = direct ? horizon : 1 }, pool, Shifted(dates, options, pipeline.Lag));
        return direct ? new TransformedMultiStepForecaster(pipeline, network) : new RecursiveForecaster(new TransformedForecaster(pipeline, network), horizon);
    }

    /// <summary>
    /// The transform for a series when none is given, chosen on the training rows alone: each candidate — none,
    /// diff(1), and log → diff(s) when s is known, 4·s ≤ the first 80 % of the training rows and the series is
    /// positive — wraps an AR model (order by AIC),
    /// fitted on the first 80 % of the training rows and scored one step ahead on the last 20 % in original units; the
    /// candidate with the lowest RMSE wins. A linear model is a cheap judge of which stationary form the series needs.
    /// "Positive" is asked of every row of the file, not the training rows only: the forecasts read the true history
    /// through the transform, and a log cannot take a later zero (the sign of the series, not its values, decides).
    /// A candidate whose transform leaves fewer than 4 of those rows is skipped (the AIC search over p ≤ rows / 4 needs
    /// AR(1)), and so is one whose transformed rows admit no AR fit (log → diff(s) of an exact exponential is a constant);
    /// when every candidate is, an <see cref="ArgumentException"/> names the rows.
    /// </summary>
    public static TransformPipeline ChooseTransform(TimeSeries series, ForecastProtocol protocol, int? season)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(protocol);
        var split = protocol.Resolve(series);
        double[] train = split.Train(series.Values).ToArray();
        var inner = new ForecastSplit((int)(train.Length * 0.8), train.Length);
        var candidates = new List<TransformPipeline> { new(), new(new DifferenceTransform(1)) };
        if (season is { } s && s * 4 <= inner.TrainCount && series.Values.All(v => v > 0))
            candidates.Add(new TransformPipeline(new LogTransform(), new DifferenceTransform(s)));
        TransformPipeline? best = null;
        double bestRmse = double.PositiveInfinity;
        int unfittable = 0;
        foreach (var candidate in candidates)
        {
            double[] fitted = candidate.Fit(inner.Train(train)).Forward(inner.Train(train));
            if (fitted.Length < MinChoiceRows) continue;   // too few rows left for AR(1) in the AIC search (p ≤ rows / 4)
            double rmse;
            try
            {
                int p = AutoRegression.SelectOrderByAic(fitted, Math.Min(ForecastBaselines.DefaultMaxOrder, fitted.Length / 4)).Order;
                rmse = OneStepEvaluation.Score(new TransformedForecaster(Fresh(candidate), new AutoRegression(p)), train, inner).Rmse;
            }
            catch (RankDeficientException)   // the transformed rows are constant (or an exact shorter recurrence): no AR to judge by
            {
                unfittable++;
                continue;
            }
            if (rmse < bestRmse) (best, bestRmse) = (candidate, rmse);
        }
        if (best is not null) return best;
        throw new ArgumentException(unfittable > 0
            ? $"NeuralForecastEvaluation.ChooseTransform: the AR fits that compare transforms use the first 80 % of the training rows, {inner.TrainCount} of "
              + $"{train.Length}, and after every candidate transform they admit no AR fit (they are constant, or follow an exact shorter recurrence): give the transform instead."
            : $"NeuralForecastEvaluation.ChooseTransform: the AR fits that compare transforms use the first 80 % of the "
              + $"training rows, {inner.TrainCount} of {train.Length}; at least {MinChoiceRows} are needed: give the transform instead.", nameof(series));
    }

    // The fewest transformed rows an AR candidate of ChooseTransform is fitted on: the AIC search over p ≤ rows / 4 needs p = 1.
    private const int MinChoiceRows = 4;

    // The dates of the transformed series (z_i belongs to row i + L), when the model reads calendar features.
    private static string[]? Shifted(IReadOnlyList<string> dates, RecurrentForecasterOptions options, int lag) =>
        options.Calendar == CalendarFeatures.None ? null : [.. dates.Skip(lag)];

    // A new, unfitted copy of a stage or pipeline (each seed fits its own).
    private static ISeriesTransform Fresh(ISeriesTransform t) => t switch
    {
        LogTransform => new LogTransform(),
        DifferenceTransform d => new DifferenceTransform(d.Lag),
        StandardScaler => new StandardScaler(),
        MinMaxScaler => new MinMaxScaler(),
        _ => throw new NotSupportedException($"NeuralForecastEvaluation: unknown transform {t.Name}."),
    };

    private static TransformPipeline Fresh(TransformPipeline p) => new([.. p.Stages.Select(Fresh)]);
}

/// <summary>What <see cref="NeuralForecastEvaluation.Evaluate"/> measured.</summary>
/// <param name="Row">Mean RMSE and MAE over the seeds, with the RMSE range.</param>
/// <param name="Ensemble">The mean of the seeds' forecasts, scored as one model.</param>
/// <param name="EnsembleForecasts">That mean forecast for every target row (original units).</param>
/// <param name="Models">The fitted forecasters, one per seed (fitted on the training rows), under the strategy they were scored with.</param>
public sealed record NeuralForecastResult(ForecastRow Row, ForecastRow Ensemble, double[] EnsembleForecasts, IReadOnlyList<IMultiStepForecaster> Models);
