namespace SeqLearn.Classification;

/// <summary>Settings of <see cref="NbSvm"/> (the paper's values by default).</summary>
/// <param name="Alpha">Smoothing α of the count vectors p and q.</param>
/// <param name="Beta">Interpolation β between the NB direction (β = 0) and the SVM weights (β = 1).</param>
/// <param name="Svm">The SVM's C, tolerance, pass limit and seed.</param>
public sealed record NbSvmOptions(double Alpha = 1.0, double Beta = 0.25, SvmOptions? Svm = null);

/// <summary>
/// NBSVM (Wang &amp; Manning 2012): a linear SVM on binarised features scaled by the naive-Bayes log-count ratio,
/// interpolated towards the NB direction. For labels y ∈ {0, 1} and binarised rows f̂:
/// <code>
/// p = α + Σ_{i: y_i = 1} f̂_i        q = α + Σ_{i: y_i = 0} f̂_i
/// r = log((p / ‖p‖₁) / (q / ‖q‖₁))                        log-count ratio, one value per feature
/// x̂_i = r ⊙ f̂_i                                           SVM input; (w, b) from <see cref="SquaredHingeSvm"/>
/// w̄ = ‖w‖₁ / |V|                                          mean magnitude of w
/// w' = (1 − β) w̄ + β w                                    interpolation (w̄ added to every weight)
/// b' = (1 − β) w̄ b_NB + β b,   b_NB = log(n₁ / n₀)         the same interpolation of the two biases
/// score(f̂) = w'ᵀ(r ⊙ f̂) + b' = Σ_{j: f̂_j = 1} r_j w'_j + b'
/// </code>
/// (1 − β) w̄ (rᵀf̂ + b_NB) is (1 − β) w̄ times the MNB score, so w' mixes the scaled NB classifier with the SVM: "trust NB
/// unless the SVM is very confident". Binary only. docs/classification.md#nbsvm.
/// </summary>
public sealed class NbSvm
{
    private readonly double[] _v; // v_j = r_j w'_j, so that score = Σ_{j ∈ f̂} v_j + b'

    private NbSvm(double[] r, double[] v, double bias, LinearSvmModel svm)
    {
        LogCountRatio = r;
        _v = v;
        Bias = bias;
        Svm = svm;
    }

    /// <summary>r, the log-count ratio of each feature.</summary>
    public IReadOnlyList<double> LogCountRatio { get; }

    /// <summary>b', the interpolated bias.</summary>
    public double Bias { get; }

    /// <summary>The SVM before interpolation (weights on r ⊙ f̂, bias, passes run, convergence).</summary>
    public LinearSvmModel Svm { get; }

    /// <summary>Trains on binarised rows (ascending distinct feature ids) with labels 0 / 1.</summary>
    public static NbSvm Train(IReadOnlyList<int[]> rows, IReadOnlyList<int> labels, int featureCount, NbSvmOptions? options = null)
    {
        options ??= new NbSvmOptions();
        SvmOptions svmOptions = options.Svm ?? new SvmOptions();
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count != labels.Count) throw new ArgumentException($"NbSvm: {rows.Count} rows but {labels.Count} labels.", nameof(labels));
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"NbSvm: row {i} has label {labels[i]}; labels must be 0 or 1 (NBSVM is a binary classifier).", nameof(labels));
        if (!(options.Alpha > 0) || double.IsPositiveInfinity(options.Alpha)) throw new ArgumentOutOfRangeException(nameof(options), $"NbSvm: α must be positive and finite (got {options.Alpha}).");
        if (!(options.Beta >= 0 && options.Beta <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"NbSvm: β must be in [0, 1] (got {options.Beta}).");
        double[] r = ComputeLogCountRatio(rows, labels, featureCount, options.Alpha);
        double n1 = labels.Count(y => y == 1), n0 = labels.Count - n1;
        if (n1 == 0 || n0 == 0) throw new ArgumentException("NbSvm: both classes must occur in the training rows.", nameof(labels));
        double bNb = Math.Log(n1 / n0);

        var values = rows.Select(row => row.Select(j => r[j]).ToArray()).ToArray();   // x̂ = r ⊙ f̂
        int[] ySigned = labels.Select(y => y == 1 ? 1 : -1).ToArray();
        LinearSvmModel svm = SquaredHingeSvm.Train(rows, values, ySigned, featureCount, svmOptions);

        double beta = options.Beta;
        double wBar = featureCount == 0 ? 0 : svm.Weights.Sum(Math.Abs) / featureCount;
        var v = new double[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            double wPrime = (1 - beta) * wBar + beta * svm.Weights[j];
            v[j] = r[j] * wPrime;
        }
        double bPrime = (1 - beta) * wBar * bNb + beta * svm.Bias;
        return new NbSvm(r, v, bPrime, svm);
    }

    /// <summary>r = log((p/‖p‖₁)/(q/‖q‖₁)) with p = α + Σ_{y=1} f̂, q = α + Σ_{y=0} f̂.</summary>
    public static double[] ComputeLogCountRatio(IReadOnlyList<int[]> rows, IReadOnlyList<int> labels, int featureCount, double alpha)
    {
        ArgumentNullException.ThrowIfNull(labels);
        SparseRows.CheckIds("NbSvm", rows, featureCount, nameof(rows));
        if (rows.Count != labels.Count) throw new ArgumentException($"NbSvm: {rows.Count} rows but {labels.Count} labels.", nameof(labels));
        var p = new double[featureCount];
        var q = new double[featureCount];
        Array.Fill(p, alpha);
        Array.Fill(q, alpha);
        for (int i = 0; i < rows.Count; i++)
        {
            double[] target = labels[i] == 1 ? p : q;
            foreach (int j in rows[i]) target[j]++;
        }
        double pNorm = p.Sum(), qNorm = q.Sum();
        var r = new double[featureCount];
        for (int j = 0; j < featureCount; j++) r[j] = Math.Log(p[j] / pNorm / (q[j] / qNorm));
        return r;
    }

    /// <summary>score(f̂) = Σ_{j ∈ row} r_j w'_j + b'; positive means class 1 (an <see cref="ArgumentException"/> for a feature id the model does not have).</summary>
    public double Score(int[] row)
    {
        SparseRows.CheckRow("NbSvm.Score", row, 0, _v.Length, nameof(row));
        double s = Bias;
        foreach (int j in row) s += _v[j];
        return s;
    }
}
