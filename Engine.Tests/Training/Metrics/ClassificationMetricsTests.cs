using SeqLearn.Training;

namespace SeqLearn.Tests.Training.Metrics;

public class ClassificationMetricsTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void ConfusionMatrix_ThreeClasses_HandComputedScores()
    {
        // rows = true class: 0 → (2, 1, 1), 1 → (1, 1, 0), 2 → (0, 0, 1)
        int[] actual = [0, 0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 2, 1, 0, 2];
        var m = ConfusionMatrix.From(actual, predicted, 3);
        Assert.Equal(2, m[0, 0]);
        Assert.Equal(1, m[0, 2]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(0, m[2, 0]);
        Assert.Equal(7, m.Total);
        Assert.Equal(4.0 / 7, m.Accuracy, Tol);
        Assert.Equal(2.0 / 3, m.Precision(0), Tol);
        Assert.Equal(1.0 / 2, m.Recall(0), Tol);
        Assert.Equal(4.0 / 7, m.F1(0), Tol);
        Assert.Equal(1.0 / 2, m.Precision(2), Tol);
        Assert.Equal(1.0, m.Recall(2), Tol);
        Assert.Equal(2.0 / 3, m.F1(2), Tol);
        Assert.Equal(5.0 / 9, m.MacroPrecision, Tol);
        Assert.Equal(2.0 / 3, m.MacroRecall, Tol);
        Assert.Equal(73.0 / 126, m.MacroF1, Tol);
        Assert.Equal(73.0 / 126, ClassificationMetrics.MacroF1(actual, predicted, 3), Tol);
    }

    [Fact]
    public void Binary_PositiveClassScores_HandComputed()
    {
        // TP 3, FN 1, FP 2, TN 2
        int[] actual = [1, 1, 1, 0, 0, 0, 0, 1];
        int[] predicted = [1, 0, 1, 1, 0, 0, 1, 1];
        Assert.Equal(5.0 / 8, ClassificationMetrics.Accuracy(actual, predicted), Tol);
        Assert.Equal(3.0 / 5, ClassificationMetrics.Precision(actual, predicted), Tol);
        Assert.Equal(3.0 / 4, ClassificationMetrics.Recall(actual, predicted), Tol);
        Assert.Equal(2.0 / 3, ClassificationMetrics.F1(actual, predicted), Tol);
        // negative class as positive: TP 2, FN 2, FP 1
        Assert.Equal(2.0 / 3, ClassificationMetrics.Precision(actual, predicted, positive: 0), Tol);
        Assert.Equal(1.0 / 2, ClassificationMetrics.Recall(actual, predicted, positive: 0), Tol);
    }

    [Fact]
    public void ClassNeverPredictedOrNeverPresent_ScoresZero()
    {
        var m = ConfusionMatrix.From([0, 0, 1], [0, 0, 0], 3);
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0, m.Recall(1));
        Assert.Equal(0, m.F1(1));
        Assert.Equal(0, m.Recall(2));
        Assert.Equal(2.0 / 3, m.Precision(0), Tol);
        Assert.Equal(2.0 / 3, m.Accuracy, Tol);
    }

    [Fact]
    public void MeanAndSampleStd_UsesNMinusOne()
    {
        // Σ (x − 5)² = 32 over 8 values: sample std √(32/7), population std would be 2.
        var (mean, std) = ClassificationMetrics.MeanAndSampleStd([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5.0, mean, Tol);
        Assert.Equal(Math.Sqrt(32.0 / 7), std, Tol);
        Assert.Equal((3.0, 0.0), ClassificationMetrics.MeanAndSampleStd([3]));
    }

    [Fact]
    public void LengthMismatchOrOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([0, 1], [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0, 2], [0, 1], 2));
    }

    [Fact]
    public void ClassOutsideTheMatrix_IsNamedWithItsParameter()
    {
        Assert.Equal("actual", Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0, 2], [0, 1], 2)).ParamName);
        var predicted = Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0], [5], 2));
        Assert.Equal("predicted", predicted.ParamName);
        Assert.StartsWith("ConfusionMatrix: pair (0, 5) is outside [0, 2).", predicted.Message);
        var m = ConfusionMatrix.From([0, 1], [1, 1], 2);
        foreach (var call in new Func<double>[] { () => m.Precision(3), () => m.Recall(-1), () => m.F1(2), () => m[5, 0], () => m[0, -1] })
            Assert.Contains("is outside [0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => call()).Message);
        foreach (var call in new Func<double>[]
                 {
                     () => ClassificationMetrics.Precision([0, 1], [0, 1], positive: -1),
                     () => ClassificationMetrics.Recall([0, 1], [1, 1], -1),
                     () => ClassificationMetrics.F1([0, 1], [1, 1], -2),
                 })
            Assert.Equal("positive", Assert.Throws<ArgumentOutOfRangeException>(() => call()).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1([0, 1], [1], 1)).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Recall([-1, 1], [1, 1])).ParamName);
    }

    [Fact]
    public void BinaryMetrics_LargeLabelOrPositiveClass_CountInOnePass()
    {
        // A label of 50,000 sized a 50,001² matrix of counts (20 GB) for three numbers; int.MaxValue overflowed.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0.5, ClassificationMetrics.Precision([0, 1, 50_000], [0, 1, 1]), Tol);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(0, ClassificationMetrics.Precision([0, 1], [0, 1], int.MaxValue));
        Assert.Equal(1, ClassificationMetrics.Recall([int.MaxValue, 1], [int.MaxValue, 0], int.MaxValue));
    }

    [Fact]
    public void NullLabelLists_AreNamed()
    {
        int[] one = [1];
        Assert.Equal("actual", Assert.Throws<ArgumentNullException>(() => ClassificationMetrics.Accuracy(null!, one)).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentNullException>(() => ClassificationMetrics.Accuracy(one, null!)).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentNullException>(() => ClassificationMetrics.MacroF1(null!, one, 2)).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentNullException>(() => ConfusionMatrix.From(null!, one, 2)).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentNullException>(() => ConfusionMatrix.From(one, null!, 2)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => ClassificationMetrics.MeanAndSampleStd(null!)).ParamName);
    }
}
