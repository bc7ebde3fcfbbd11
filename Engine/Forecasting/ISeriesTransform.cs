namespace SeqLearn.Forecasting;

/// <summary>
/// One invertible step applied to a series before a model sees it, fitted on training values only. A stage maps its
/// input x (length n) to z (length n − <see cref="Lag"/>): elementwise stages keep the length, a lag-s difference
/// drops the first s rows. Forecasts made in z are taken back to x by <see cref="InverseStep"/>, which may read the
/// true inputs before the forecast time but never the value being forecast.
/// </summary>
public interface ISeriesTransform
{
    /// <summary>Short name for reports, e.g. <c>log</c>, <c>diff(12)</c>, <c>standard</c>.</summary>
    string Name { get; }

    /// <summary>Leading rows the stage consumes: z_i belongs to time i + Lag of x.</summary>
    int Lag { get; }

    /// <summary>Learns the stage's parameters from <paramref name="train"/> (the training rows, already through earlier stages).</summary>
    void Fit(ReadOnlySpan<double> train);

    /// <summary>z = forward(x), length x.Length − <see cref="Lag"/>.</summary>
    double[] Forward(ReadOnlySpan<double> x);

    /// <summary>x = inverse(z) for a whole series; <paramref name="head"/> holds at least the first <see cref="Lag"/> values of x.</summary>
    double[] Inverse(ReadOnlySpan<double> z, ReadOnlySpan<double> head);

    /// <summary>
    /// x̂_t from a value ẑ_t forecast in the transformed space and the true inputs x_0 … x_{t−1}
    /// (<paramref name="history"/>; its length is t).
    /// </summary>
    double InverseStep(double z, ReadOnlySpan<double> history);
}
