using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SeqLearn.Forecasting;

/// <summary>
/// One model's errors on the protocol's targets, in the series' units. <see cref="RmseMin"/> / <see cref="RmseMax"/>
/// give the spread over repeated runs of a stochastic model (e.g. several seeds); <see cref="P"/> is an
/// autoregressive order where the model has one.
/// </summary>
/// <param name="Name">Model name, e.g. <c>persistence</c>.</param>
/// <param name="Rmse">√(Σ(y − ŷ)² / N) over the N targets.</param>
/// <param name="Mae">Σ|y − ŷ| / N over the same targets.</param>
public sealed record ForecastRow(string Name, double Rmse, double Mae)
{
    /// <summary>Smallest RMSE over repeated runs, when there are several.</summary>
    public double? RmseMin { get; init; }

    /// <summary>Largest RMSE over repeated runs, when there are several.</summary>
    public double? RmseMax { get; init; }

    /// <summary>Autoregressive order p, for models that have one.</summary>
    public int? P { get; init; }

    /// <summary>The transform the model worked through (e.g. <c>log → diff(12)</c>), when it is not the identity.</summary>
    public string? Transform { get; init; }
}

/// <summary>Every model scored on the same <see cref="Targets"/> rows of one series under one protocol.</summary>
/// <param name="Source">The series' file.</param>
/// <param name="Protocol">The protocol spec, e.g. <c>split:0.67</c>.</param>
/// <param name="TrainCount">Training rows n_train.</param>
/// <param name="Targets">Number of target rows N (the same for every row of the report).</param>
/// <param name="Rows">One row per model.</param>
public sealed record ForecastReport(string Source, string Protocol, int TrainCount, int Targets, IReadOnlyList<ForecastRow> Rows)
{
    /// <summary>H, how many steps ahead each target is forecast (1: one-step).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>How the models forecast H &gt; 1 steps ahead (reported only then: at H = 1 both strategies are the one-step forecast).</summary>
    public ForecastStrategy Strategy { get; init; } = ForecastStrategy.Recursive;

    /// <summary><c>recursive</c> or <c>direct</c>, as printed and written to JSON.</summary>
    public string StrategyName => Strategy.ToString().ToLowerInvariant();

    /// <summary>
    /// <c>{"targets": N, "rows": [{"name": …, "p": …, "rmse": …, "mae": …, "rmse_min": …, "rmse_max": …}]}</c>; the
    /// optional fields (and <c>"transform"</c>) appear only when set; <c>"horizon": H</c> and <c>"strategy"</c> only when H &gt; 1.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("targets", Targets);
            if (Horizon > 1)
            {
                w.WriteNumber("horizon", Horizon);
                w.WriteString("strategy", StrategyName);
            }
            w.WriteStartArray("rows");
            foreach (var row in Rows)
            {
                w.WriteStartObject();
                w.WriteString("name", row.Name);
                if (row.P is int p) w.WriteNumber("p", p);
                w.WriteNumber("rmse", row.Rmse);
                w.WriteNumber("mae", row.Mae);
                if (row.RmseMin is double lo) w.WriteNumber("rmse_min", lo);
                if (row.RmseMax is double hi) w.WriteNumber("rmse_max", hi);
                if (row.Transform is string transform) w.WriteString("transform", transform);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A score or forecast as the table prints it: <paramref name="decimals"/> decimals, or up to 4 significant digits when a
    /// non-zero value is below 10^(1 − decimals) in magnitude, where fixed decimals would print it as 0 or one digit.
    /// </summary>
    public static string Number(double value, int decimals = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 15);
        var c = CultureInfo.InvariantCulture;
        return value != 0 && Math.Abs(value) < Math.Pow(10, 1 - decimals) ? value.ToString("G4", c) : value.ToString("F" + decimals.ToString(c), c);
    }

    /// <summary>A plain-text table: a title line, then one tab-separated line per model (model, p, RMSE, MAE, RMSE range, transform).</summary>
    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"{Source}: protocol {Protocol}, {TrainCount} training rows, {Targets} {(Horizon == 1 ? "one-step" : $"{Horizon}-step-ahead")} targets{(Horizon == 1 ? "" : $" ({StrategyName} strategy)")}"));
        sb.AppendLine("model\tp\tRMSE\tMAE\tRMSE min..max\ttransform");
        foreach (var r in Rows)
        {
            string range = r.RmseMin is double lo && r.RmseMax is double hi ? $"{Number(lo)}..{Number(hi)}" : "-";
            sb.AppendLine(string.Create(c, $"{r.Name}\t{(r.P is int p ? p.ToString(c) : "-")}\t{Number(r.Rmse)}\t{Number(r.Mae)}\t{range}\t{r.Transform ?? "-"}"));
        }
        return sb.ToString();
    }
}
