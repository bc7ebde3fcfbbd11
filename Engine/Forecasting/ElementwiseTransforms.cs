namespace SeqLearn.Forecasting;

/// <summary>z_t = ln x_t; inverse x_t = exp z_t. Nothing to fit; every value must be positive.</summary>
public sealed class LogTransform : ISeriesTransform
{
    /// <inheritdoc/>
    public string Name => "log";

    /// <inheritdoc/>
    public int Lag => 0;

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train) => Forward(train);

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        var z = new double[x.Length];
        for (int t = 0; t < x.Length; t++)
        {
            if (!(x[t] > 0)) throw new ArgumentException($"LogTransform: value {x[t]} at row {t} is not positive.", nameof(x));
            z[t] = Math.Log(x[t]);
        }
        return z;
    }

    /// <inheritdoc/>
    public double[] Inverse(ReadOnlySpan<double> z, ReadOnlySpan<double> head)
    {
        var x = new double[z.Length];
        for (int t = 0; t < z.Length; t++) x[t] = Math.Exp(z[t]);
        return x;
    }

    /// <inheritdoc/>
    public double InverseStep(double z, ReadOnlySpan<double> history) => Math.Exp(z);
}

/// <summary>
/// An affine scaler z_t = (x_t − a) / b with a and b fitted on the training rows; inverse x_t = a + b·z_t.
/// A constant training part gives b = 1 so the map stays invertible.
/// </summary>
public abstract class AffineScaler : ISeriesTransform
{
    private bool _fitted;

    /// <summary>The offset a.</summary>
    public double Offset { get; private set; }

    /// <summary>The scale b (never 0).</summary>
    public double Scale { get; private set; } = 1;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public int Lag => 0;

    /// <summary>a and b of this scaler for the training values.</summary>
    protected abstract (double Offset, double Scale) Estimate(ReadOnlySpan<double> train);

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<double> train)
    {
        if (train.IsEmpty) throw new ArgumentException($"{Checks.TypeName(GetType())}.Fit: no training values.", nameof(train));
        FiniteValues.Require(train, $"{Checks.TypeName(GetType())}.Fit", "training", nameof(train));
        (double a, double b) = Estimate(train);
        Offset = a;
        Scale = b == 0 || !double.IsFinite(b) ? 1 : b;
        _fitted = true;
    }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        CheckFitted();
        var z = new double[x.Length];
        for (int t = 0; t < x.Length; t++) z[t] = (x[t] - Offset) / Scale;
        return z;
    }

    /// <inheritdoc/>
    public double[] Inverse(ReadOnlySpan<double> z, ReadOnlySpan<double> head)
    {
        CheckFitted();
        var x = new double[z.Length];
        for (int t = 0; t < z.Length; t++) x[t] = Offset + Scale * z[t];
        return x;
    }

    /// <inheritdoc/>
    public double InverseStep(double z, ReadOnlySpan<double> history)
    {
        CheckFitted();
        return Offset + Scale * z;
    }

    private void CheckFitted()
    {
        if (!_fitted) throw new InvalidOperationException($"{Checks.TypeName(GetType())}: call Fit on the training rows first.");
    }
}

/// <summary>Min-max scaler to [0, 1] on the training rows: a = min x, b = max x − min x (test values may fall outside [0, 1]).</summary>
public sealed class MinMaxScaler : AffineScaler
{
    /// <inheritdoc/>
    public override string Name => "minmax";

    /// <inheritdoc/>
    protected override (double Offset, double Scale) Estimate(ReadOnlySpan<double> train)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double x in train) { min = Math.Min(min, x); max = Math.Max(max, x); }
        return (min, max - min);
    }
}

/// <summary>Standard scaler on the training rows: a = mean μ, b = population standard deviation σ = √(Σ(x − μ)² / n).</summary>
public sealed class StandardScaler : AffineScaler
{
    /// <inheritdoc/>
    public override string Name => "standard";

    /// <inheritdoc/>
    protected override (double Offset, double Scale) Estimate(ReadOnlySpan<double> train)
    {
        double mu = 0;
        foreach (double x in train) mu += x;
        mu /= train.Length;
        double ss = 0;
        foreach (double x in train) ss += (x - mu) * (x - mu);
        return (mu, Math.Sqrt(ss / train.Length));
    }
}
