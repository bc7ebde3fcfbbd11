namespace SeqLearn.Forecasting;

/// <summary>
/// The classical baselines of a series under one protocol, scored on the same target rows: persistence
/// (ŷ_t = y_{t−1}), seasonal naive (ŷ_t = y_{t−s}) and AR(p) with intercept, fitted once on the training rows by OLS,
/// p fixed or chosen by AIC over 1 … p_max. All forecasts are made from the true history (one step ahead, or H steps
/// with <c>horizon</c> H), in original units.
/// </summary>
public static class ForecastBaselines
{
    /// <summary>Default p_max of the AIC search.</summary>
    public const int DefaultMaxOrder = 24;

    /// <summary>Scores the three baselines on <paramref name="series"/> under <paramref name="protocol"/>.</summary>
    /// <param name="series">The series.</param>
    /// <param name="protocol">Where training ends and the targets start.</param>
    /// <param name="season">Season length s in rows for the seasonal naive forecast.</param>
    /// <param name="arOrder">A fixed AR order p; <c>null</c> chooses p by AIC over 1 … <paramref name="maxOrder"/>.</param>
    /// <param name="maxOrder">p_max of the AIC search.</param>
    /// <param name="arTransform">
    /// Optional stages the AR model works through (fitted on the training rows; AIC then runs on the transformed
    /// training rows); its forecasts are taken back to original units, so all rows stay comparable.
    /// </param>
    /// <param name="horizon">H: each target is forecast H steps ahead (<see cref="HorizonEvaluation"/>); 1 by default.</param>
    /// <param name="strategy">
    /// How AR forecasts H &gt; 1 steps ahead: recursively, or directly (<see cref="DirectAutoRegression"/>, the same p).
    /// Persistence and seasonal naive give the same forecasts under both strategies (y_{t−1} for every lead, and
    /// y_{t+h−s} from the last season).
    /// </param>
    public static ForecastReport Evaluate(TimeSeries series, ForecastProtocol protocol, int season, int? arOrder = null,
                                          int maxOrder = DefaultMaxOrder, TransformPipeline? arTransform = null, int horizon = 1,
                                          ForecastStrategy strategy = ForecastStrategy.Recursive)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(protocol);
        ForecastSplit split = protocol.Resolve(series);
        var models = MultiStepModels(series, split, season, horizon, strategy, arOrder, maxOrder, arTransform);
        var rows = models.Select(m => (horizon == 1 && m.Model is RecursiveForecaster r
            ? OneStepEvaluation.Score(r.OneStep, series.Values, split, m.Order)
            : HorizonEvaluation.Score(m.Model, series.Values, split, m.Order)) with { Transform = m.Transform }).ToList();
        return new ForecastReport(series.Source, protocol.Spec, split.TrainCount, split.Count - HorizonEvaluation.FirstTarget(split, horizon), rows)
        {
            Horizon = horizon, Strategy = strategy,
        };
    }

    /// <summary>
    /// The baselines of <see cref="Models"/> as H-step forecasters under <paramref name="strategy"/>: persistence and
    /// seasonal naive recursive (the same forecasts as direct), AR recursive or <see cref="DirectAutoRegression"/>
    /// (through the AR transform when one is given).
    /// </summary>
    public static IReadOnlyList<(IMultiStepForecaster Model, int? Order, string? Transform)> MultiStepModels(TimeSeries series, ForecastSplit split, int season,
        int horizon, ForecastStrategy strategy, int? arOrder = null, int maxOrder = DefaultMaxOrder, TransformPipeline? arTransform = null)
    {
        var models = Models(series, split, season, arOrder, maxOrder, arTransform);
        return [.. models.Select(m => (Strategy(m.Model, m.Order, horizon, strategy, arTransform), m.Order, m.Transform))];
    }

    private static IMultiStepForecaster Strategy(IOneStepForecaster model, int? order, int horizon, ForecastStrategy strategy, TransformPipeline? arTransform)
    {
        if (strategy == ForecastStrategy.Recursive || order is not int p) return new RecursiveForecaster(model, horizon);
        var direct = new DirectAutoRegression(p, horizon);
        return model is TransformedForecaster ? new TransformedMultiStepForecaster(arTransform!, direct) : direct;
    }

    /// <summary>
    /// The three unfitted baselines of <see cref="Evaluate"/> in report order, with the AR order p (chosen by AIC on the
    /// training rows of <paramref name="split"/> when <paramref name="arOrder"/> is null) and the AR transform's name.
    /// </summary>
    public static IReadOnlyList<(IOneStepForecaster Model, int? Order, string? Transform)> Models(TimeSeries series, ForecastSplit split, int season,
        int? arOrder = null, int maxOrder = DefaultMaxOrder, TransformPipeline? arTransform = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        double[] y = series.Values;
        bool transformed = arTransform is not null && arTransform.Stages.Count > 0;
        double[] arTrain = transformed ? arTransform!.Fit(split.Train(y)).Forward(split.Train(y)) : split.Train(y).ToArray();
        int p = arOrder ?? AutoRegression.SelectOrderByAic(arTrain, maxOrder).Order;
        IOneStepForecaster ar = transformed ? new TransformedForecaster(arTransform!, new AutoRegression(p)) : new AutoRegression(p);
        return [(new PersistenceForecaster(), null, null), (new SeasonalNaiveForecaster(season), null, null), (ar, p, transformed ? arTransform!.Name : null)];
    }

    /// <summary>
    /// The season implied by the dates, when every date is a month (<c>yyyy-MM</c>) or every date is a day
    /// (<c>yyyy-MM-dd</c>), from the spacing of the last two rows: 12 for monthly rows, 4 for quarterly ones (12 / k for
    /// rows k months apart, k dividing 12), 52 for weekly rows, 365 for daily ones (a yearly cycle of rows, leap days and
    /// missing days not corrected); otherwise <c>null</c>, as for rows 14 days apart (26.07 rows a year).
    /// </summary>
    public static int? InferSeason(TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Dates.Count == 0 || series.Dates.Any(d => d.Length == 0)) return null;
        bool months = series.Dates.All(d => d.Trim().Length == 7 && ForecastProtocol.TryParseDate(d, out _));
        bool days = series.Dates.All(d => d.Trim().Length == 10 && ForecastProtocol.TryParseDate(d, out _));
        return months || days ? DateSpacing.Of(series.Dates)?.Season : null;
    }
}
