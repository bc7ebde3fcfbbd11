using ScottPlot;
using SeqLearn.Forecasting;

namespace SeqLearn.Cli.Plots;

/// <summary>
/// The target period of a forecast as a line chart: the actual values, the model's forecasts and the best baseline's,
/// against the date (or the row number when the series has no dates).
/// </summary>
public static class ForecastChart
{
    /// <summary>One line of the chart.</summary>
    /// <param name="Label">Legend text, e.g. <c>lstm (RMSE 16.92)</c>.</param>
    /// <param name="Values">One value per target row.</param>
    public sealed record Line(string Label, double[] Values);

    /// <summary>Builds the chart of the target rows [<paramref name="firstRow"/>, n) of <paramref name="series"/>.</summary>
    public static Plot Build(TimeSeries series, int firstRow, IReadOnlyList<Line> forecasts, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(forecasts);
        int n = series.Count - firstRow;
        double[] x = new double[n];
        bool dated = true;
        for (int i = 0; i < n && dated; i++)
            if (ForecastProtocol.TryParseDate(series.Dates.Count > 0 ? series.Dates[firstRow + i] : "", out DateOnly d)) x[i] = d.ToDateTime(TimeOnly.MinValue).ToOADate();
            else dated = false;
        if (!dated) for (int i = 0; i < n; i++) x[i] = firstRow + i;

        var plot = new Plot();
        var actual = plot.Add.ScatterLine(x, series.Values[firstRow..]);
        actual.LegendText = "actual";
        actual.LineWidth = 2;
        actual.Color = Colors.Black;
        foreach (var line in forecasts)
        {
            if (line.Values.Length != n) throw new ArgumentException($"ForecastChart: '{line.Label}' has {line.Values.Length} values for {n} target rows.");
            var s = plot.Add.ScatterLine(x, line.Values);
            s.LegendText = line.Label;
            s.LineWidth = 1.5f;
        }
        if (dated) plot.Axes.DateTimeTicksBottom();
        plot.Title($"{Path.GetFileName(series.Source)}: {n} {(horizon == 1 ? "one-step" : $"{horizon}-step-ahead")} forecasts");
        plot.XLabel(dated ? "date" : "row");
        plot.YLabel(series.ValueName);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
