namespace SeqLearn.Training;

/// <summary>
/// Counts of (true class, predicted class) pairs, and the scores read from them. Row = true class a, column =
/// predicted class p. With TP_c = M[c, c], FP_c = Σ_{a≠c} M[a, c], FN_c = Σ_{p≠c} M[c, p]:
/// <code>
/// accuracy     = Σ_c TP_c / Σ M
/// precision_c  = TP_c / (TP_c + FP_c)          0 when class c is never predicted
/// recall_c     = TP_c / (TP_c + FN_c)          0 when class c never occurs
/// F1_c         = 2 P_c R_c / (P_c + R_c)       0 when P_c + R_c = 0
/// macro score  = (1/C) Σ_c score_c             every class weighted equally
/// </code>
/// The zero conventions are scikit-learn's (<c>zero_division=0</c>). Binary scores are those of the positive class
/// (id 1 unless given).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>An empty C × C matrix.</summary>
    public ConfusionMatrix(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        _counts = new long[classCount, classCount];
    }

    /// <summary>The matrix of <paramref name="actual"/> against <paramref name="predicted"/>.</summary>
    public static ConfusionMatrix From(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classCount)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"ConfusionMatrix: {actual.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
        var m = new ConfusionMatrix(classCount);
        for (int i = 0; i < actual.Count; i++) m.Add(actual[i], predicted[i]);
        return m;
    }

    /// <summary>Number of classes C.</summary>
    public int ClassCount => _counts.GetLength(0);

    /// <summary>M[a, p]: how many sentences of true class a were predicted as p.</summary>
    public long this[int actual, int predicted] => _counts[Class(actual, nameof(actual)), Class(predicted, nameof(predicted))];

    /// <summary>Σ M: the number of predictions counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one prediction.</summary>
    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)ClassCount || (uint)predicted >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException((uint)actual >= (uint)ClassCount ? nameof(actual) : nameof(predicted),
                $"ConfusionMatrix: pair ({actual}, {predicted}) is outside [0, {ClassCount}).");
        _counts[actual, predicted]++;
        Total++;
    }

    /// <summary>Σ_c TP_c / Σ M (0 for an empty matrix).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++) correct += _counts[c, c];
            return Ratio(correct, Total);
        }
    }

    /// <summary>TP_c / (TP_c + FP_c).</summary>
    public double Precision(int c) => Ratio(_counts[Class(c, nameof(c)), c], Column(c));

    /// <summary>TP_c / (TP_c + FN_c).</summary>
    public double Recall(int c) => Ratio(_counts[Class(c, nameof(c)), c], Row(c));

    /// <summary>2 P_c R_c / (P_c + R_c).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Mean of the per-class precisions.</summary>
    public double MacroPrecision => Macro(Precision);

    /// <summary>Mean of the per-class recalls.</summary>
    public double MacroRecall => Macro(Recall);

    /// <summary>Mean of the per-class F1 scores (not the F1 of the macro precision and recall).</summary>
    public double MacroF1 => Macro(F1);

    /// <summary><paramref name="c"/> when it is a class id in [0, C), else an exception naming <paramref name="parameter"/>.</summary>
    private int Class(int c, string parameter) => (uint)c < (uint)ClassCount ? c
        : throw new ArgumentOutOfRangeException(parameter, c, $"ConfusionMatrix: class {c} is outside [0, {ClassCount}).");

    private long Row(int a)
    {
        long s = 0;
        for (int p = 0; p < ClassCount; p++) s += _counts[a, p];
        return s;
    }

    private long Column(int p)
    {
        long s = 0;
        for (int a = 0; a < ClassCount; a++) s += _counts[a, p];
        return s;
    }

    private double Macro(Func<int, double> score)
    {
        double s = 0;
        for (int c = 0; c < ClassCount; c++) s += score(c);
        return s / ClassCount;
    }

    internal static double Ratio(long num, long den) => den == 0 ? 0 : (double)num / den;
}

/// <summary>Classification scores straight from label lists, and the summary of scores over folds.</summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of positions where <paramref name="predicted"/> equals <paramref name="actual"/>.</summary>
    public static double Accuracy(IReadOnlyList<int> actual, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"Accuracy: {actual.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
        if (actual.Count == 0) return 0;
        int correct = 0;
        for (int i = 0; i < actual.Count; i++) if (actual[i] == predicted[i]) correct++;
        return (double)correct / actual.Count;
    }

    /// <summary>Precision of class <paramref name="positive"/> in a binary (or any) task.</summary>
    public static double Precision(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int positive = 1)
    {
        var (tp, fp, _) = Counts(actual, predicted, positive);
        return ConfusionMatrix.Ratio(tp, tp + fp);
    }

    /// <summary>Recall of class <paramref name="positive"/>.</summary>
    public static double Recall(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int positive = 1)
    {
        var (tp, _, fn) = Counts(actual, predicted, positive);
        return ConfusionMatrix.Ratio(tp, tp + fn);
    }

    /// <summary>F1 of class <paramref name="positive"/>.</summary>
    public static double F1(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int positive = 1)
    {
        var (tp, fp, fn) = Counts(actual, predicted, positive);
        double p = ConfusionMatrix.Ratio(tp, tp + fp), r = ConfusionMatrix.Ratio(tp, tp + fn);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Macro-averaged F1 over <paramref name="classCount"/> classes.</summary>
    public static double MacroF1(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classCount) =>
        ConfusionMatrix.From(actual, predicted, classCount).MacroF1;

    /// <summary>
    /// Mean x̄ = (1/n) Σ xᵢ and sample standard deviation s = √(Σ (xᵢ − x̄)² / (n − 1)) (0 for n = 1): the spread of
    /// per-fold scores as cross-validation papers report it (numpy's <c>std(ddof=1)</c>).
    /// </summary>
    public static (double Mean, double StdDev) MeanAndSampleStd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("MeanAndSampleStd: no values.", nameof(values));
        double mean = values.Average();
        if (values.Count == 1) return (mean, 0);
        double ss = values.Sum(x => (x - mean) * (x - mean));
        return (mean, Math.Sqrt(ss / (values.Count - 1)));
    }

    /// <summary>
    /// TP, FP and FN of class <paramref name="positive"/>, counted in one pass: the binary metrics need only these three,
    /// so no C × C matrix is built (a label of 50,000 would make it 20 GB).
    /// </summary>
    private static (long Tp, long Fp, long Fn) Counts(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int positive)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (positive < 0) throw new ArgumentOutOfRangeException(nameof(positive), positive, "ClassificationMetrics: the positive class must be a class id (≥ 0).");
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"ClassificationMetrics: {actual.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            int a = actual[i], p = predicted[i];
            if (a < 0) throw new ArgumentOutOfRangeException(nameof(actual), a, $"ClassificationMetrics: true label {i} is {a}, not a class id (≥ 0).");
            if (p < 0) throw new ArgumentOutOfRangeException(nameof(predicted), p, $"ClassificationMetrics: prediction {i} is {p}, not a class id (≥ 0).");
            if (a == positive && p == positive) tp++;
            else if (p == positive) fp++;
            else if (a == positive) fn++;
        }
        return (tp, fp, fn);
    }
}
