using System.Diagnostics;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>The score of one model on one fold: test accuracy, the confusion matrix and the wall-clock seconds (train + predict).</summary>
public sealed record FoldResult(int Fold, int TestCount, double Accuracy, ConfusionMatrix Confusion, double Seconds);

/// <summary>The per-fold results of one model, with their mean, sample standard deviation and total time.</summary>
public sealed record CrossValidationResult(string Model, IReadOnlyList<FoldResult> Folds)
{
    /// <summary>Mean of the fold accuracies (each fold weighted equally).</summary>
    public double MeanAccuracy => ClassificationMetrics.MeanAndSampleStd(Folds.Select(f => f.Accuracy).ToArray()).Mean;

    /// <summary>Sample standard deviation (n − 1) of the fold accuracies.</summary>
    public double StdAccuracy => ClassificationMetrics.MeanAndSampleStd(Folds.Select(f => f.Accuracy).ToArray()).StdDev;

    /// <summary>Total seconds over the folds.</summary>
    public double Seconds => Folds.Sum(f => f.Seconds);
}

/// <summary>k-fold cross-validation: for each fold, train a fresh classifier on the training folds and score it on the held-out fold.</summary>
public static class CrossValidation
{
    /// <summary>Runs <paramref name="factory"/> on the folds <paramref name="folds"/> (all when null) of <paramref name="assignment"/>.</summary>
    /// <param name="data">The whole data set.</param>
    /// <param name="assignment">The fixed fold of each sentence.</param>
    /// <param name="factory">Trains one classifier per fold.</param>
    /// <param name="folds">Which folds to run (0-based); null for all.</param>
    /// <param name="onFold">Called after each fold (for progress output).</param>
    public static CrossValidationResult Run(LabeledSentences data, FoldAssignment assignment, IClassifierFactory factory,
        IEnumerable<int>? folds = null, Action<FoldResult>? onFold = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(factory);
        var results = new List<FoldResult>();
        foreach (int k in folds ?? Enumerable.Range(0, assignment.FoldCount))
        {
            var clock = Stopwatch.StartNew();
            ClassificationFold fold = assignment.Fold(data, k);
            ISentenceClassifier classifier = factory.Train(fold);
            int[] predicted = classifier.Predict(fold.Test.Sentences);
            var confusion = ConfusionMatrix.From(fold.Test.Labels, predicted, data.ClassCount);
            var result = new FoldResult(k, fold.Test.Count, confusion.Accuracy, confusion, clock.Elapsed.TotalSeconds);
            results.Add(result);
            onFold?.Invoke(result);
        }
        return new CrossValidationResult(factory.Name, results);
    }
}
