namespace SeqLearn.Classification;

/// <summary>
/// Multinomial naive Bayes on binarised sparse features with add-α smoothing (Wang &amp; Manning 2012, MNB):
/// <code>
/// N_cj      = Σ_{i: y_i = c} f̂_ij                       count of feature j over the class-c sentences
/// log θ_cj  = log(N_cj + α) − log(Σ_j' N_cj' + α·|V|)   smoothed class-conditional log probability
/// log π_c   = log(n_c / n)                             class prior from the training counts
/// s_c(f̂)    = log π_c + Σ_{j: f̂_j = 1} log θ_cj          log joint; P(c | f̂) = softmax_c(s)
/// </code>
/// For two classes, s₁ − s₀ = rᵀf̂ + b with the log-count ratio r = log((p/‖p‖₁)/(q/‖q‖₁)), p = α + Σ_{y=1} f̂,
/// q = α + Σ_{y=0} f̂, and b = log(n₁/n₀): the linear form of the paper (docs/classification.md#mnb).
/// </summary>
public sealed class MultinomialNaiveBayes
{
    private readonly double[][] _logTheta; // (C, |V|)
    private readonly double[] _logPrior;   // (C)

    private MultinomialNaiveBayes(double[][] logTheta, double[] logPrior)
    {
        _logTheta = logTheta;
        _logPrior = logPrior;
    }

    /// <summary>Number of classes C.</summary>
    public int ClassCount => _logPrior.Length;

    /// <summary>log θ_cj for class <paramref name="c"/> (length |V|).</summary>
    public ReadOnlySpan<double> LogTheta(int c) => _logTheta[c];

    /// <summary>log π_c, the log class priors.</summary>
    public ReadOnlySpan<double> LogPrior => _logPrior;

    /// <summary>Counts features per class and smooths them.</summary>
    /// <param name="rows">Each training sentence as ascending distinct feature ids in [0, <paramref name="featureCount"/>).</param>
    /// <param name="labels">Class id of each row.</param>
    /// <param name="classCount">C.</param>
    /// <param name="featureCount">|V|.</param>
    /// <param name="alpha">Additive smoothing α (1 = Laplace, as in the paper).</param>
    public static MultinomialNaiveBayes Train(IReadOnlyList<int[]> rows, IReadOnlyList<int> labels, int classCount, int featureCount, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count != labels.Count) throw new ArgumentException($"MultinomialNaiveBayes: {rows.Count} rows but {labels.Count} labels.", nameof(labels));
        if (rows.Count == 0) throw new ArgumentException("MultinomialNaiveBayes: no training rows.", nameof(rows));
        if (!(alpha > 0) || double.IsPositiveInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"MultinomialNaiveBayes: α must be positive and finite (got {alpha}).");
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"MultinomialNaiveBayes: the class count must be ≥ 1, got {classCount}.");
        SparseRows.CheckLabels("MultinomialNaiveBayes", labels, classCount, nameof(labels));
        SparseRows.CheckIds("MultinomialNaiveBayes", rows, featureCount, nameof(rows));
        var counts = new double[classCount][];
        for (int c = 0; c < classCount; c++) counts[c] = new double[featureCount];
        var n = new double[classCount];
        for (int i = 0; i < rows.Count; i++)
        {
            int y = labels[i];
            n[y]++;
            foreach (int j in rows[i]) counts[y][j]++;
        }
        var logTheta = new double[classCount][];
        var logPrior = new double[classCount];
        for (int c = 0; c < classCount; c++)
        {
            double total = counts[c].Sum() + alpha * featureCount;
            logTheta[c] = counts[c].Select(nCj => Math.Log(nCj + alpha) - Math.Log(total)).ToArray();
            logPrior[c] = Math.Log(n[c] / rows.Count); // −∞ for a class absent from training: never predicted
        }
        return new MultinomialNaiveBayes(logTheta, logPrior);
    }

    /// <summary>The log joint scores s_c of one row (an <see cref="ArgumentException"/> for a feature id the model does not have).</summary>
    public double[] Scores(int[] row)
    {
        SparseRows.CheckRow("MultinomialNaiveBayes.Scores", row, 0, _logTheta.Length == 0 ? 0 : _logTheta[0].Length, nameof(row));
        var s = new double[ClassCount];
        for (int c = 0; c < s.Length; c++)
        {
            double sum = _logPrior[c];
            double[] theta = _logTheta[c];
            foreach (int j in row) sum += theta[j];
            s[c] = sum;
        }
        return s;
    }

    /// <summary>P(c | row) = softmax(s) (computed with the maximum subtracted).</summary>
    public double[] Probabilities(int[] row) => Softmax(Scores(row));

    internal static double[] Softmax(double[] s)
    {
        double max = s.Max();
        double[] e = s.Select(v => Math.Exp(v - max)).ToArray();
        double z = e.Sum();
        return e.Select(v => v / z).ToArray();
    }
}
