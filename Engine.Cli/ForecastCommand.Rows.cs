using SeqLearn.Forecasting;

namespace SeqLearn.Cli;

/// <summary>
/// The row counts each option of <c>forecast</c> needs, checked from the sizes of the series and the split before the
/// library fits anything, so that a refusal names the option, what it needs and the largest value the data allow
/// (the library's own checks name its classes, which a user of the command never sees).
/// </summary>
public static partial class ForecastCommand
{
    /// <summary>
    /// The seasonal naive forecast reads y_{t−s}: the first target needs s ≤ n_train. A season the dates implied is
    /// named as such, with <c>--season</c> as the remedy.
    /// </summary>
    private static void CheckSeasonRows(ForecastSplit split, string protocol, int season, bool given)
    {
        if (season <= split.TrainCount) return;
        string what = given ? $"--season {season}" : $"the season s = {season} inferred from the dates";
        throw new ArgumentException($"{what}: the seasonal naive forecast reads the value s rows back, so it needs at least {season} training rows; "
            + $"--protocol {protocol} leaves {split.TrainCount}{(given ? "" : $" (give --season S ≤ {split.TrainCount})")}.");
    }

    /// <summary>
    /// Rows the AR model has after <c>--ar-transform</c> (its differences consume their lags, all of them before the
    /// first training row is left); refused when none is left.
    /// </summary>
    private static int ArRows(int rows, TransformPipeline arTransform, string spec, string where)
    {
        if (arTransform.Lag < rows) return rows - arTransform.Lag;
        throw new ArgumentException($"--ar-transform {spec}: its differences consume the first {arTransform.Lag:N0} rows, so it needs more than {arTransform.Lag:N0}; {where} {rows:N0}.");
    }

    /// <summary>
    /// Least squares fits AR(p) at lead h on the rows t = p … m − 1 − h and needs p + 1 of them, so AR(p) for leads
    /// 0 … H−1 (H = 1 but for the direct strategy) needs m ≥ 2p + H rows after the AR transform; the AIC search fits
    /// AR(1 … p_max) on the rows of AR(p_max) at lead 0, m ≥ 2·p_max + 1. Throws with <paramref name="what"/> (the
    /// options and the fit, e.g. "--ar-order 200: AR(200)") and <paramref name="remedy"/>, the option to lower, with its
    /// largest value: <c>(m − H) / 2</c> for an order, <c>m − 2p</c> for a number of leads (<paramref name="remedyIsLeads"/>).
    /// </summary>
    private static void CheckArRows(string what, int order, int leads, int rows, int lag, string where, string remedy, bool remedyIsLeads = false)
    {
        int needed = 2 * order + leads;
        if (rows >= needed) return;
        int largest = remedyIsLeads ? rows - 2 * order : (rows - leads) / 2;
        string after = lag > 0 ? $" after the lag {lag} of --ar-transform" : "";
        throw new ArgumentException($"{what} by least squares needs at least {needed:N0} rows{after} (p + 1 regression rows after the first p"
            + $"{(leads > 1 ? $" + {leads - 1} for the furthest lead" : "")}); {where} {rows + lag:N0}"
            + (largest >= 1 ? $": use {remedy} ≤ {largest}." : remedyIsLeads ? "." : ", too few for AR(1)."));
    }

    /// <summary>
    /// <c>--transform auto</c> judges its candidates by AR forecasts of the last 20 % of the training rows, fitted on
    /// the first 80 %: the differenced candidate needs 4 values left for an order search, so ⌊0.8·n_train⌋ ≥ 5.
    /// </summary>
    private static void CheckAutoTransformRows(ForecastSplit split, string protocol)
    {
        if ((int)(split.TrainCount * 0.8) >= 5) return;
        throw new ArgumentException($"--transform auto compares transforms by AR forecasts of the last 20 % of the training rows, which needs at least 7 training rows; "
            + $"--protocol {protocol} leaves {split.TrainCount}: give --transform (e.g. none).");
    }

    /// <summary>
    /// The recurrent model trains on windows of T past values and H targets (H = 1 but for the direct strategy) cut from
    /// the rows left after its transform's lag L, and needs at least 4 of them: rows ≥ L + T + H + 3. Throws naming
    /// <c>--look-back</c> and what else took rows, with the largest T the rows allow.
    /// </summary>
    private static void CheckWindowRows(string kind, int lookBack, int targets, TransformPipeline transform, int rows, string where, string targetsOption)
    {
        int needed = transform.Lag + lookBack + targets + 3;
        if (rows >= needed) return;
        int largest = rows - transform.Lag - targets - 3;
        string lag = transform.Lag > 0 ? $" after the lag {transform.Lag} of its transform {transform.Name}" : "";
        throw new ArgumentException($"--look-back {lookBack}{targetsOption}: the {kind} trains on at least 4 windows of {lookBack} past values and {targets} target{(targets > 1 ? "s" : "")}{lag}, "
            + $"which needs {needed:N0} rows; {where} {rows:N0}" + (largest >= 1 ? $": use --look-back ≤ {largest}." : "."));
    }
}
