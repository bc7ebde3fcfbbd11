namespace SeqLearn.Classification;

/// <summary>
/// A trained many-to-one classifier: a tokenised sentence in, one probability per class out. Baselines and neural
/// models implement it alike, so <see cref="CrossValidation"/> and the CLI treat them the same.
/// </summary>
public interface ISentenceClassifier
{
    /// <summary>Number of classes C.</summary>
    int ClassCount { get; }

    /// <summary>
    /// One row of C class probabilities per sentence (each row sums to 1). Models without calibrated probabilities
    /// (a linear SVM) return a monotone squashing of their score; only the argmax is compared across models.
    /// </summary>
    double[][] PredictProbabilities(IReadOnlyList<string[]> sentences);

    /// <summary>The predicted class of each sentence: the argmax of its probabilities, ties to the lower class id.</summary>
    int[] Predict(IReadOnlyList<string[]> sentences) => PredictProbabilities(sentences).Select(ArgMax).ToArray();

    /// <summary>The index of the largest value, the first one on ties.</summary>
    static int ArgMax(double[] p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int best = 0;
        for (int c = 1; c < p.Length; c++)
            if (p[c] > p[best]) best = c;
        return best;
    }
}

/// <summary>
/// Trains a classifier on one cross-validation fold. An implementation learns only from the fold's training folds
/// (<see cref="ClassificationFold.Train"/> and <see cref="ClassificationFold.Validation"/>, the latter for early
/// stopping); it never reads <see cref="ClassificationFold.Test"/>. Options (seeds, sizes, epochs) belong to the
/// factory, so one factory trains every fold the same way.
/// </summary>
public interface IClassifierFactory
{
    /// <summary>The model's name as the CLI spells it (<c>mnb-uni</c>, <c>mnb-bi</c>, <c>nbsvm-bi</c>, ...).</summary>
    string Name { get; }

    /// <summary>Trains a classifier on <paramref name="fold"/>'s training folds.</summary>
    ISentenceClassifier Train(ClassificationFold fold);
}
