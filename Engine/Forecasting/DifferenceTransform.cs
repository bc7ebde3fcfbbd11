namespace SeqLearn.Forecasting;

/// <summary>
/// Differencing at lag s: z_i = x_{i+s} − x_i, so z is s rows shorter than x. Lag 1 removes a trend, lag s (12 for
/// monthly data) a fixed seasonal pattern. Inverse: x_{i+s} = z_i + x_i from the first s values of x; for a one-step
/// forecast, x̂_t = ẑ + x_{t−s} with x_{t−s} the true value. Nothing to fit.
/// </summary>
public sealed class DifferenceTransform : ISeriesTransform
{
    /// <summary>A lag-<paramref name="lag"/> difference (lag ≥ 1).</summary>
    public DifferenceTransform(int lag)
    {
        if (lag < 1) throw new ArgumentOutOfRangeException(nameof(lag), $"DifferenceTransform: lag must be at least 1 (got {lag}).");
        Lag = lag;
    }

    /// <inheritdoc/>
    public string Name => $"diff({Lag})";

    /// <inheritdoc/>
    public int Lag { get; }

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        if (train.Length <= Lag) throw new ArgumentException($"DifferenceTransform.Fit: {train.Length} training values, lag {Lag} needs more than {Lag}.", nameof(train));
    }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        if (x.Length < Lag) throw new ArgumentException($"DifferenceTransform.Forward: {x.Length} values, lag {Lag} needs at least {Lag}.", nameof(x));
        var z = new double[x.Length - Lag];
        for (int i = 0; i < z.Length; i++) z[i] = x[i + Lag] - x[i];
        return z;
    }

    /// <inheritdoc/>
    public double[] Inverse(ReadOnlySpan<double> z, ReadOnlySpan<double> head)
    {
        if (head.Length < Lag) throw new ArgumentException($"DifferenceTransform.Inverse: {head.Length} head values, lag {Lag} needs {Lag}.", nameof(head));
        var x = new double[z.Length + Lag];
        head[..Lag].CopyTo(x);
        for (int i = 0; i < z.Length; i++) x[i + Lag] = z[i] + x[i];
        return x;
    }

    /// <inheritdoc/>
    public double InverseStep(double z, ReadOnlySpan<double> history)
    {
        if (history.Length < Lag) throw new ArgumentException($"DifferenceTransform.InverseStep: {history.Length} history values, lag {Lag} needs {Lag}.", nameof(history));
        return z + history[^Lag];
    }
}
